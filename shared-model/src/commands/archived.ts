import type { CommandId } from "../ids/ids.js";
import type { Command } from "./command.js";
import type { CommandEvent, Intent } from "./events.js";
import { isIntent } from "./events.js";
import type { PriorityRegister } from "./spec.js";
import type { CommandStatus } from "./state.js";

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

/** True when the entry is an archived command's mark rather than a live command. */
export function isArchived(entry: CommandEntry): entry is ArchivedCommand {
  return (entry as Partial<ArchivedCommand>).archived !== undefined;
}

/** True when the entry is a live command (spec, priority, events). */
export function isLive(entry: CommandEntry): entry is Command {
  return !isArchived(entry);
}

/** The live commands of a `commands` map, by ID (archived ones left out). */
export function liveCommands(
  commands: Readonly<Record<CommandId, CommandEntry>>,
): [CommandId, Command][] {
  const live: [CommandId, Command][] = [];
  for (const [id, entry] of Object.entries(commands) as [CommandId, CommandEntry][]) {
    if (isLive(entry)) live.push([id, entry]);
  }
  return live;
}

/** The live command `id`, or `undefined` when there is none or it was archived. */
export function liveCommand(
  commands: Readonly<Record<CommandId, CommandEntry>>,
  id: CommandId,
): Command | undefined {
  const entry = commands[id];
  return entry !== undefined && isLive(entry) ? entry : undefined;
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
