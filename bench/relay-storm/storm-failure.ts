import { open } from "node:fs/promises";
import type { ServerKind } from "./messages.js";

/** A storm that did not finish: which server, why, and how the server's log ends. */
export class StormFailed extends Error {
  override name = "StormFailed";

  constructor(kind: ServerKind, cause: unknown, logEnding: string | undefined) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `the ${kind} storm failed: ${reason}${logEnding ? `; the server's log ends: ${logEnding}` : ""}`,
      { cause },
    );
  }
}

/**
 * The last error a crashed server printed (`RuntimeError: unreachable` and the frame where it
 * happened, say), from the end of its log; `undefined` if there is none.
 */
export async function lastErrorInLog(logPath: string): Promise<string | undefined> {
  let text: string;
  try {
    const file = await open(logPath, "r");
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 16_384);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      text = buffer.toString("utf8");
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const lines = text.split("\n").map((line) => line.trim());
  const index = lines.findLastIndex((line) => /^[A-Za-z]*Error\b/.test(line));
  if (index < 0) return undefined;
  const frame = lines[index + 1]?.startsWith("at ") ? ` ${lines[index + 1]}` : "";
  return `${lines[index]}${frame}`;
}
