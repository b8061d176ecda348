/** Helpers shared by the storage tests: temp directories, a logger that records, file listings. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pino } from "pino";
import type { Logger } from "../../log/logger.js";

/** A fresh directory under the OS temp dir and a function that deletes it. */
export async function makeTempDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "outpost-storage-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** One line written by the recording logger: pino's JSON, parsed. */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric level for `error`. */
export const ERROR_LEVEL = 50;

/** A real pino logger (so it satisfies {@link Logger}) that keeps every line it writes. */
export function makeRecordingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  return { logger, records };
}

/** Every file below `directory`, as paths relative to it, sorted. */
export async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}
