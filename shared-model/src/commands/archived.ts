import type { Stored } from "../documents/stored-strings.js";
import { isDraft, toPlainSnapshot } from "../documents/stored-strings.js";
import type { CommandId } from "../ids/ids.js";
import type { Command } from "./command.js";
import type { CommandEvent, Intent } from "./events.js";
import { isIntent } from "./events.js";
import type { PriorityRegister } from "./spec.js";
import type { CommandStatus } from "./state.js";
import { isJsonSpec, plainSpec, type StoredSpec } from "./stored-spec.js";

/** A UTC month, `YYYY-MM`: archive documents hold one month of a device's finished commands. */
export type ArchiveMonth = string & { readonly __archiveMonth: true };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** True for a `YYYY-MM` month key. */
export function isArchiveMonth(value: unknown): value is ArchiveMonth {
  return typeof value === "string" && MONTH.test(value);
}

/** The UTC month of an epoch-ms time. */
export function archiveMonthOf(epochMs: number): ArchiveMonth {
  return new Date(epochMs).toISOString().slice(0, 7) as ArchiveMonth;
}

/**
 * What the agent wrote when it moved a finished command to its month's archive document: enough
 * for the queue to go on deciding without the command (a dependent sees how it ended, a dedupe
 * twin sees that it ran), and for the dashboard to find it.
 */
export interface ArchiveMark {
  /** The archive document's month (its URL is in `DeviceDoc.commandArchives`). */
  month: ArchiveMonth;
  /** When the agent archived it (agent clock, epoch ms). */
  at: number;
  /** How it ended. */
  status: CommandStatus;
  /** The winner, when it was superseded (a dependency on it stands for the winner). */
  winner?: CommandId;
  /** The spec's `createdAt` and `dedupeKey`: dedupe still ranks it. */
  createdAt: number;
  dedupeKey?: string;
  /** Whether it ever started: a twin that ran stands for its dedupe key. */
  started: boolean;
}

/**
 * A command the agent archived, as it stays in the live DeviceDoc: the same Automerge object,
 * with its spec and priority removed and its events list emptied, and the {@link ArchiveMark}.
 *
 * The object and its events list are kept, not deleted, on purpose: Automerge drops an edit made
 * inside an object that a concurrent change deleted, so an admin's cancel or retry written while
 * the agent archived would vanish. Kept, such an intent lands in `events` here, visible, and the
 * agent answers it (cancel-too-late, retry-declined); a priority set concurrently lands here too.
 */
export interface ArchivedCommand {
  archived: ArchiveMark;
  events: CommandEvent[];
  priority?: PriorityRegister;
}

/** One entry of `DeviceDoc.commands`: a live command, or what stays of an archived one. */
export type CommandEntry = Command | ArchivedCommand;

/**
 * A command entry as the DeviceDoc holds it: its strings are `ImmutableString` scalars, or text in
 * documents written before (see documents/stored-strings.ts). Read it through {@link plainEntry},
 * {@link plainCommands}, {@link liveCommand} or {@link liveCommands}.
 */
export type StoredCommandEntry = StoredCommand | Stored<ArchivedCommand>;

/** A live command as the DeviceDoc holds it: its spec is JSON (or a map, written before). */
export type StoredCommand = Omit<Stored<Command>, "spec"> & { spec: StoredSpec };

/** The `commands` map of a DeviceDoc as stored, or already plain. */
export type StoredCommands = Readonly<Record<CommandId, StoredCommandEntry | CommandEntry>>;

/** True when the entry is an archived command's mark rather than a live command. */
export function isArchived(entry: CommandEntry): entry is ArchivedCommand;
export function isArchived(entry: StoredCommandEntry): entry is Stored<ArchivedCommand>;
export function isArchived(entry: StoredCommandEntry): boolean {
  return (entry as Partial<Stored<ArchivedCommand>>).archived !== undefined;
}

/** True when the entry is a live command (spec, priority, events). */
export function isLive(entry: CommandEntry): entry is Command;
export function isLive(entry: StoredCommandEntry): entry is StoredCommand;
export function isLive(entry: StoredCommandEntry): boolean {
  return !isArchived(entry);
}

const plainMaps = new WeakMap<object, Readonly<Record<CommandId, CommandEntry>>>();

const plainEntries = new WeakMap<object, CommandEntry>();

/**
 * The entry with plain strings and its spec parsed (commands/stored-spec.ts), made once per stored
 * object (`toPlainSnapshot`): Automerge snapshots share unchanged objects, so an unchanged command
 * keeps the same plain object from snapshot to snapshot (what `FoldCache` keys on), and a command
 * with a new event keeps its spec's and priority's (what the agent's signature verdicts key on).
 * A change's draft is converted, not remembered; so is an entry whose spec is JSON already
 * unwrapped into a string (a plain copy such as the dashboard's store, which edits it in place).
 */
export function plainEntry(entry: StoredCommandEntry | CommandEntry): CommandEntry {
  const known = plainEntries.get(entry);
  if (known !== undefined) return known;
  // A JSON spec comes out of it as a string, parsed below.
  const plain = toPlainSnapshot<CommandEntry>(entry as Stored<CommandEntry>);
  const storedSpec: unknown = (entry as { spec?: unknown }).spec;
  if (!isJsonSpec(storedSpec)) return plain;
  const parsed = { ...plain, spec: plainSpec(storedSpec) } as CommandEntry;
  if (typeof storedSpec !== "string" && !isDraft(entry)) plainEntries.set(entry, parsed);
  return parsed;
}

/**
 * The `commands` map with every entry plain ({@link plainEntry}), made once per stored map. A
 * map whose entries are all plain already is returned as it is.
 */
export function plainCommands(commands: StoredCommands): Readonly<Record<CommandId, CommandEntry>> {
  let plain = plainMaps.get(commands);
  if (plain === undefined) {
    let copy: Record<CommandId, CommandEntry> | undefined;
    const ids = Object.keys(commands) as CommandId[];
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index] as CommandId;
      const stored = commands[id] as StoredCommandEntry;
      const entry = plainEntry(stored);
      if (entry !== stored && copy === undefined) {
        copy = {};
        for (const earlier of ids.slice(0, index))
          copy[earlier] = plainEntry(commands[earlier] as StoredCommandEntry);
      }
      if (copy !== undefined) copy[id] = entry;
    }
    plain = copy ?? (commands as Readonly<Record<CommandId, CommandEntry>>);
    if (!isDraft(commands)) plainMaps.set(commands, plain);
  }
  return plain;
}

/** The live commands of a `commands` map, by ID, plain (archived ones left out). */
export function liveCommands(commands: StoredCommands): [CommandId, Command][] {
  const live: [CommandId, Command][] = [];
  for (const [id, entry] of Object.entries(plainCommands(commands)) as [
    CommandId,
    CommandEntry,
  ][]) {
    if (isLive(entry)) live.push([id, entry]);
  }
  return live;
}

/**
 * The live command `id`, plain, or `undefined` when there is none or it was archived. A copy
 * when the document stores scalars: to edit a change's draft, go through `draft.commands[id]`.
 */
export function liveCommand(commands: StoredCommands, id: CommandId): Command | undefined {
  const stored = commands[id];
  if (stored === undefined) return undefined;
  const entry = plainEntry(stored);
  return isLive(entry) ? entry : undefined;
}

/** The events of the entry `id`, live or archived, plain; none when there is no such entry. */
export function eventsOf(commands: StoredCommands, id: CommandId): CommandEvent[] {
  const stored = commands[id];
  return stored === undefined ? [] : plainEntry(stored).events;
}

/**
 * Cancel and retry requests in `events` that no fact answers yet: on an archived command, those an
 * admin wrote while or after the agent archived it, which the agent still owes an answer.
 */
export function openIntents(events: readonly CommandEvent[]): Intent[] {
  const answered = new Set<string>();
  for (const event of events) {
    if (!isIntent(event) && "answers" in event && event.answers !== undefined)
      answered.add(event.answers);
  }
  return events.filter(
    (event): event is Intent => isIntent(event) && event.type !== "note" && !answered.has(event.id),
  );
}
