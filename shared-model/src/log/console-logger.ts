import { pino } from "pino";
import type { Logger } from "./logger.js";

const LEVELS: Record<number, string> = {
  20: "debug",
  30: "",
  40: "warning: ",
  50: "error: ",
  60: "fatal: ",
};

/**
 * A logger for a person at a terminal (`npm start`): one short line per record, `name: message`,
 * warnings and errors marked, instead of JSON. Services keep {@link makeLogger}'s JSON lines.
 */
export function makeConsoleLogger(
  name: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
  level = process.env.OUTPOST_LOG_LEVEL ?? "info",
): Logger {
  return pino(
    { name, level },
    {
      write(json: string) {
        const record = JSON.parse(json) as { level: number; msg?: string; name?: string };
        write(`${record.name ?? name}: ${LEVELS[record.level] ?? ""}${record.msg ?? ""}\n`);
      },
    },
  );
}
