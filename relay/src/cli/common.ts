import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "@outpost/shared-model";
import { makeLogger, UsageError } from "@outpost/shared-model";
import { loadRelayConfig } from "../config/relay-config.js";

/** Flags every command understands. */
export interface CommonFlags {
  data?: string;
  config?: string;
  "log-level"?: string;
}

/** The data folder from --data or the config file, created (mode 0700) if missing. */
export async function dataDirectoryOf(flags: CommonFlags): Promise<string> {
  const data =
    flags.data ?? (flags.config ? (await loadRelayConfig(flags.config)).data : undefined);
  if (data === undefined) throw new UsageError("no data folder: pass --data DIR or --config FILE");
  const directory = resolve(data);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  return directory;
}

/** The process logger: JSON lines on stderr at --log-level (or OUTPOST_LOG_LEVEL, or info). */
export function makeCliLogger(flags: CommonFlags, configLevel?: string): Logger {
  return makeLogger(
    "outpost-relay",
    flags["log-level"] ?? configLevel ?? process.env.OUTPOST_LOG_LEVEL ?? "info",
  );
}
