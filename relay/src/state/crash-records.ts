import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@outpost/shared-model";

/** How many crashes naming a document quarantine it, and within what time. */
export const QUARANTINE_AFTER_CRASHES = 2;
export const CRASH_MEMORY_MS = 24 * 60 * 60_000;

const FILE = "crash-suspects.jsonl";

interface CrashRecord {
  at: number;
  reason: string;
  documents: string[];
}

/**
 * What the relay was working on when Automerge failed under it (ARCHITECTURE.md, "Crash suspects"):
 * its WebAssembly heap out of memory, or any trap, after which every Automerge call throws "Module
 * terminated". Each crash appends the documents it was loading or applying a message to,
 * synchronously, before the process exits. On the next start, a document named by {@link
 * QUARANTINE_AFTER_CRASHES} crashes within a day is quarantined: refused to everyone, left on disk
 * untouched, so the clients that sync it cannot crash the relay again and again. Removing its lines
 * from `crash-suspects.jsonl` (or the file) releases it at the next start.
 */
export class CrashRecords {
  readonly #path: string;

  constructor(dataDirectory: string) {
    this.#path = join(dataDirectory, FILE);
  }

  /** Appends a crash durably; synchronous, for the last moments of a failing process. */
  record(reason: string, documents: readonly string[]): void {
    const line = `${JSON.stringify({ at: Date.now(), reason, documents: [...documents] } satisfies CrashRecord)}\n`;
    const fd = openSync(this.#path, "a", 0o600);
    try {
      appendFileSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The documents to quarantine now, read from the file; lines that do not parse are logged. */
  quarantined(logger: Logger, now = Date.now()): Set<string> {
    let text: string;
    try {
      text = readFileSync(this.#path, "utf8");
    } catch {
      return new Set();
    }
    const crashes = new Map<string, number>();
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      const record = parse(line);
      if (record === undefined) {
        logger.error(
          { path: this.#path, line: index + 1 },
          `${this.#path}:${index + 1}: not a crash record; skipped`,
        );
        return;
      }
      if (now - record.at > CRASH_MEMORY_MS) return;
      for (const documentId of new Set(record.documents))
        crashes.set(documentId, (crashes.get(documentId) ?? 0) + 1);
    });
    return new Set(
      [...crashes].filter(([, count]) => count >= QUARANTINE_AFTER_CRASHES).map(([id]) => id),
    );
  }

  /** Where the records are kept (for messages to the operator). */
  get path(): string {
    return this.#path;
  }
}

function parse(line: string): CrashRecord | undefined {
  try {
    const record = JSON.parse(line) as Partial<CrashRecord>;
    if (
      typeof record.at === "number" &&
      typeof record.reason === "string" &&
      Array.isArray(record.documents) &&
      record.documents.every((id) => typeof id === "string")
    )
      return record as CrashRecord;
  } catch {
    // reported by the caller
  }
  return undefined;
}
