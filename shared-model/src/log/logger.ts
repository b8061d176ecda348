import { type Logger as PinoLogger, pino } from "pino";

/**
 * The logger every Outpost library takes by injection. It is pino's interface, so the relay and
 * the agent pass a child of their process logger and tests pass {@link silentLogger}.
 */
export type Logger = Pick<PinoLogger, "debug" | "info" | "warn" | "error" | "child">;

/**
 * Makes a named logger (`makeLogger("relay:access")`) writing structured JSON lines to stderr.
 * The level comes from `OUTPOST_LOG_LEVEL` (default `info`).
 */
export function makeLogger(name: string, level = process.env.OUTPOST_LOG_LEVEL ?? "info"): Logger {
  return pino({ name, level }, pino.destination(2));
}

/** A logger that drops everything, for tests and benchmarks that assert on behaviour, not logs. */
export const silentLogger: Logger = pino({ level: "silent" });
