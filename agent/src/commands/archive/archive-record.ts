import { join } from "node:path";
import type { ArchiveMonth, CommandId } from "@outpost/shared-model";
import { isArchiveMonth, isCommandId } from "@outpost/shared-model";
import { writeFileDurably } from "@outpost/shared-model/storage";
import { z } from "zod";
import { readJsonFile } from "../../state/json-file.js";

/** The file in the data folder that remembers what this agent archived. */
export const ARCHIVE_RECORD_FILE = "command-archive.json";

const fileSchema = z.object({
  /** The archive document of each month, by URL. */
  months: z.record(z.string().refine(isArchiveMonth, "expected a month YYYY-MM"), z.string()),
  /** Each archived command's month. */
  commands: z.record(
    z.string().refine(isCommandId, "expected a command ID"),
    z.string().refine(isArchiveMonth, "expected a month YYYY-MM"),
  ),
  /**
   * Commands recorded whose marks were not yet confirmed written. Absent in records written before
   * this field existed, whose every command is confirmed.
   */
  pending: z.array(z.string().refine(isCommandId, "expected a command ID")).optional(),
});

/** Thrown when the archive record cannot be read; the message names the file. */
export class ArchiveRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArchiveRecordError";
  }
}

/**
 * What this agent archived, kept in its data folder, outside every document. Anyone who can write
 * to the DeviceDoc (the relay, the device's token) could otherwise forge an archive mark (making a
 * failed dependency look succeeded), or delete a mark and write the signed spec back (making a
 * command that already ran look new). The agent trusts a mark only when this record has it, and
 * never runs a command this record has, whatever the document says.
 *
 * A batch is recorded *pending* before its marks are written and settled once they are flushed.
 * A crash between the two leaves commands recorded but still live; were they kept, an admin's
 * retry of one would be refused as a replay. So at the next start, before any plan or sync,
 * {@link ArchiveRecord.reconcile} keeps the pending commands whose marks reached the disk and
 * forgets the others, which stay live and are archived again later into the same month.
 */
export class ArchiveRecord {
  readonly #path: string;
  readonly #months: Map<ArchiveMonth, string>;
  readonly #commands: Map<CommandId, ArchiveMonth>;
  readonly #pending: Set<CommandId>;

  private constructor(path: string, file: z.infer<typeof fileSchema>) {
    this.#path = path;
    this.#months = new Map(Object.entries(file.months) as [ArchiveMonth, string][]);
    this.#commands = new Map(Object.entries(file.commands) as [CommandId, ArchiveMonth][]);
    this.#pending = new Set((file.pending ?? []) as CommandId[]);
  }

  /**
   * Reads the record in `dataDirectory` (empty on first use).
   *
   * @throws ArchiveRecordError naming the file and what is wrong with it
   */
  static async open(dataDirectory: string): Promise<ArchiveRecord> {
    const path = join(dataDirectory, ARCHIVE_RECORD_FILE);
    const file = await readJsonFile(
      path,
      fileSchema,
      (message, cause) => new ArchiveRecordError(message, { cause }),
      "restore it from a backup: without it the agent cannot tell its own archive marks from forged ones",
    );
    return new ArchiveRecord(path, file ?? { months: {}, commands: {} });
  }

  /** Whether this agent archived the command. */
  has(id: CommandId): boolean {
    return this.#commands.has(id);
  }

  /** The month this agent archived the command into. */
  monthOf(id: CommandId): ArchiveMonth | undefined {
    return this.#commands.get(id);
  }

  /** The URL of the month's archive document, once this agent made one. */
  urlOf(month: ArchiveMonth): string | undefined {
    return this.#months.get(month);
  }

  /** How many commands this agent has archived. */
  get size(): number {
    return this.#commands.size;
  }

  /** Commands recorded but not yet settled (see the class comment). */
  get pending(): readonly CommandId[] {
    return [...this.#pending];
  }

  /**
   * Records a month's archive document and the commands just written to it, pending until
   * {@link settle}; durable on return.
   */
  async add(month: ArchiveMonth, url: string, ids: readonly CommandId[]): Promise<void> {
    this.#months.set(month, url);
    for (const id of ids) {
      this.#commands.set(id, month);
      this.#pending.add(id);
    }
    await this.#write();
  }

  /**
   * Settles a batch once its marks are flushed: the commands that stayed live (they changed
   * before their marks) are forgotten, the others confirmed; durable on return.
   */
  async settle(ids: readonly CommandId[], stayedLive: readonly CommandId[]): Promise<void> {
    for (const id of stayedLive) this.#commands.delete(id);
    for (const id of ids) this.#pending.delete(id);
    await this.#write();
  }

  /**
   * After a crash: confirms each pending command whose mark is in the document as it was left on
   * disk (`isMarked`), and forgets the others. Call it before the agent plans or syncs.
   * Returns the commands forgotten.
   */
  async reconcile(isMarked: (id: CommandId) => boolean): Promise<CommandId[]> {
    if (this.#pending.size === 0) return [];
    const forgotten = [...this.#pending].filter((id) => !isMarked(id));
    for (const id of forgotten) this.#commands.delete(id);
    this.#pending.clear();
    await this.#write();
    return forgotten;
  }

  async #write(): Promise<void> {
    const file = {
      months: Object.fromEntries(this.#months),
      commands: Object.fromEntries(this.#commands),
      pending: [...this.#pending],
    };
    await writeFileDurably(this.#path, new TextEncoder().encode(JSON.stringify(file)));
  }
}
