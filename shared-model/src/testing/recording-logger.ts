import { pino } from "pino";
import type { Logger } from "../log/logger.js";

/** One pino line as a test reads it. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric levels. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A debug-level logger whose lines the test can read. */
export function recordingLogger(): {
  logger: Logger;
  lines: LogLine[];
  at: (level: number) => LogLine[];
} {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines, at: (level: number) => lines.filter((line) => line.level === level) };
}
