import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type ArchivableCommand,
  type ArchiveMonth,
  archivableCommands,
  archiveMarkOf,
  archiveRecordValue,
  type Command,
  type CommandArchiveDoc,
  type CommandId,
  type CommandState,
  type DeviceDoc,
  type DeviceId,
  type Logger,
  markArchived,
  newCommandArchiveDoc,
  plainCommands,
} from "@outpost/shared-model";
import type { ArchiveRecord } from "./archive-record.js";

const DAY_MS = 86_400_000;
/**
 * Commands archived per change: a device upgraded with months of history archives thousands at
 * once, and one change of thousands of deletions costs more memory than a few smaller ones.
 */
const BATCH = 500;

/** What the archiver needs; every part injectable. */
export interface CommandArchiverOptions {
  repo: Repo;
  device: DocHandle<DeviceDoc>;
  deviceId: DeviceId;
  record: ArchiveRecord;
  now: () => number;
  /** Days a finished command stays in the live DeviceDoc (config `archive_commands_after_days`). */
  retentionDays: number;
  /** The command engine's fold cache. */
  stateOf: (command: Command) => CommandState;
  logger: Logger;
}

/**
 * Moves finished commands past the retention out of the live DeviceDoc into one archive document
 * per month (docs/ARCHITECTURE.md, "Archiving finished commands"), so the document a device and
 * every dashboard load stays the size of the live queue. In order, per batch: the commands are
 * written whole into their month's archive and flushed; the agent's record of what it archived is
 * written, pending; then, in one change, each command still as it was read becomes its mark, and
 * the DeviceDoc's archive index is updated and flushed; then the record is settled. A command that
 * changed meanwhile (an admin's intent arrived) stays live and goes next time.
 */
export class CommandArchiver {
  readonly #options: CommandArchiverOptions;
  readonly #archives = new Map<ArchiveMonth, DocHandle<CommandArchiveDoc>>();

  constructor(options: CommandArchiverOptions) {
    this.#options = options;
  }

  /** Archives what the retention lets go now; returns how many commands it archived. */
  async archive(): Promise<number> {
    const { device, retentionDays, now, stateOf } = this.#options;
    const due = archivableCommands(device.doc(), now(), retentionDays * DAY_MS, stateOf);
    if (due.length === 0) return 0;
    const byMonth = new Map<ArchiveMonth, ArchivableCommand[]>();
    for (const entry of due) byMonth.set(entry.month, [...(byMonth.get(entry.month) ?? []), entry]);
    let archived = 0;
    for (const [month, entries] of byMonth) {
      for (let start = 0; start < entries.length; start += BATCH) {
        archived += await this.#archiveBatch(month, entries.slice(start, start + BATCH));
      }
    }
    this.#options.logger.info(
      { archived, retentionDays },
      `archived ${archived} finished command(s) older than ${retentionDays} days`,
    );
    return archived;
  }

  async #archiveBatch(month: ArchiveMonth, entries: ArchivableCommand[]): Promise<number> {
    const { repo, device, record, now } = this.#options;
    const at = now();
    const archive = await this.#archiveOf(month);
    archive.change((doc) => {
      for (const { id, command, state } of entries) {
        // A plain copy: the archive keeps the command as it was, detached from the live one.
        const copy = JSON.parse(JSON.stringify(command)) as Command;
        doc.commands[id] = archiveRecordValue({
          command: copy,
          status: state.status,
          archivedAt: at,
        });
      }
    });
    await repo.flush([archive.documentId]);
    // Recorded before any mark exists: a mark this agent did not record is never trusted.
    await record.add(
      month,
      archive.url,
      entries.map((entry) => entry.id),
    );
    const marked: CommandId[] = [];
    device.change((doc) => {
      for (const entry of entries) {
        // Automerge snapshots share unchanged objects, and a plain entry is made once per stored
        // object: the same object means nothing was added since it was read and copied, so
        // emptying its events loses nothing.
        if (doc.commands[entry.id] === undefined) continue;
        if (plainCommands(device.doc().commands)[entry.id] !== entry.command) continue;
        markArchived(doc, entry.id, archiveMarkOf(entry, at));
        marked.push(entry.id);
      }
      doc.commandArchives ??= {};
      doc.commandArchives[month] = {
        url: archive.url,
        commands: Object.keys(archive.doc().commands).length,
      };
    });
    await repo.flush([device.documentId]);
    const markedIds = new Set(marked);
    const stayed = entries.filter((entry) => !markedIds.has(entry.id)).map((entry) => entry.id);
    // Live, so not archived: a later retry of one must not look like a copy written back.
    await record.settle(
      entries.map((entry) => entry.id),
      stayed,
    );
    return marked.length;
  }

  /** The month's archive document: the one this agent made, or a new one. */
  async #archiveOf(month: ArchiveMonth): Promise<DocHandle<CommandArchiveDoc>> {
    const known = this.#archives.get(month);
    if (known !== undefined) return known;
    const { repo, record, deviceId } = this.#options;
    const url = record.urlOf(month);
    const handle =
      url === undefined
        ? repo.create<CommandArchiveDoc>(newCommandArchiveDoc(deviceId, month))
        : await repo.find<CommandArchiveDoc>(url as AutomergeUrl);
    this.#archives.set(month, handle);
    return handle;
  }
}
