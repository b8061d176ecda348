import { closeSync, openSync, unwatchFile, watchFile } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import type { Logger } from "@outpost/shared-model";

/** Parses one journal line's JSON into an entry, or says why it is not one. */
export type EntryParser<E> = (raw: unknown) => { ok: true; entry: E } | { ok: false; why: string };

/**
 * An append-only file of JSON lines, each append fsynced before it resolves. Several processes may
 * append (the relay and its CLI): O_APPEND keeps each line whole, and the in-memory state is only
 * ever built by reading the file, so an entry appended by the CLI reaches a running relay the
 * same way as its own. A line that does not parse (a torn write from a crash) is logged with its
 * line number and skipped; it never stops the rest from loading.
 */
export class Journal<E> {
  readonly #path: string;
  readonly #parse: EntryParser<E>;
  readonly #logger: Logger;
  readonly #onEntry: (entry: E) => void;
  #offset = 0;
  #lineNumber = 0;
  #pending = "";
  #reading: Promise<void> = Promise.resolve();
  #watching = false;

  private constructor(
    path: string,
    parse: EntryParser<E>,
    onEntry: (entry: E) => void,
    logger: Logger,
  ) {
    this.#path = path;
    this.#parse = parse;
    this.#onEntry = onEntry;
    this.#logger = logger;
  }

  /**
   * Opens (creating, mode 0600) the journal at `path` and feeds every valid entry to `onEntry`,
   * now and whenever the file grows.
   */
  static async open<E>(
    path: string,
    parse: EntryParser<E>,
    onEntry: (entry: E) => void,
    logger: Logger,
  ): Promise<Journal<E>> {
    closeSync(openSync(path, "a", 0o600));
    const journal = new Journal(path, parse, onEntry, logger);
    await journal.catchUp();
    if (journal.#pending !== "") {
      // A crash left half a line. End it, so the next append starts a line of its own.
      journal.#logger.error(
        { path, line: journal.#lineNumber + 1 },
        `${path}:${journal.#lineNumber + 1}: incomplete last line (torn write) skipped`,
      );
      await journal.#write(`\n`);
      await journal.catchUp();
    }
    return journal;
  }

  /** Appends `entry` durably, then applies everything new in the file, this entry included. */
  async append(entry: E): Promise<void> {
    await this.#write(`${JSON.stringify(entry)}\n`);
    await this.catchUp();
  }

  /** Reads what other processes appended since the last read. */
  catchUp(): Promise<void> {
    this.#reading = this.#reading.then(() => this.#readNew());
    return this.#reading;
  }

  /** Polls the file for appends by other processes (the CLI) until {@link close}. */
  follow(intervalMs = 500): void {
    if (this.#watching) return;
    this.#watching = true;
    watchFile(this.#path, { interval: intervalMs, persistent: false }, () => {
      this.catchUp().catch((error: unknown) =>
        this.#logger.error({ err: error, path: this.#path }, `reading ${this.#path} failed`),
      );
    });
  }

  /** Stops following the file. */
  close(): void {
    if (this.#watching) unwatchFile(this.#path);
    this.#watching = false;
  }

  async #write(text: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.#path, "a", 0o600);
      await handle.appendFile(text);
      await handle.sync();
    } catch (cause) {
      throw new Error(`appending to ${this.#path}`, { cause });
    } finally {
      await handle?.close();
    }
  }

  async #readNew(): Promise<void> {
    const { size } = await stat(this.#path);
    if (size <= this.#offset) return;
    const handle = await open(this.#path, "r");
    try {
      const buffer = Buffer.alloc(size - this.#offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset);
      this.#offset += bytesRead;
      this.#consume(this.#pending + buffer.subarray(0, bytesRead).toString("utf8"));
    } finally {
      await handle.close();
    }
  }

  #consume(text: string): void {
    const lines = text.split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) {
      this.#lineNumber += 1;
      if (line.trim() === "") continue;
      const where = `${this.#path}:${this.#lineNumber}`;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        this.#logger.error({ where }, `${where}: not JSON (torn write?), line skipped`);
        continue;
      }
      const parsed = this.#parse(raw);
      if (parsed.ok) this.#onEntry(parsed.entry);
      else this.#logger.error({ where, why: parsed.why }, `${where}: ${parsed.why}, line skipped`);
    }
  }
}
