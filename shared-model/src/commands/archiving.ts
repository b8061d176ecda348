/**
 * Archiving finished commands out of the live DeviceDoc (docs/ARCHITECTURE.md, "Archiving
 * finished commands"). The agent alone archives: it picks what the retention lets go
 * ({@link archivableCommands}), writes each command whole into its month's archive document,
 * and only then, in one change of the DeviceDoc, replaces each with its mark ({@link markArchived}).
 */
import { type Stored, toStored } from "../documents/stored-strings.js";
import type { CommandId } from "../ids/ids.js";
import type { ArchivedCommand, ArchiveMark, ArchiveMonth } from "./archived.js";
import { archiveMonthOf, isLive, plainCommands } from "./archived.js";
import type { Command, WithCommands } from "./command.js";
import { isIntent } from "./events.js";
import { fold } from "./fold.js";
import type { CommandState } from "./state.js";
import { isTerminal } from "./state.js";

/** A command the retention lets go, with what its archive needs. */
export interface ArchivableCommand {
  id: CommandId;
  command: Command;
  state: CommandState;
  /** When it ended: its last fact's time (agent clock). */
  endedAt: number;
  /** The month whose archive document receives it: the month it ended in. */
  month: ArchiveMonth;
}

/**
 * The live commands that ended at least `retentionMs` before `now` and ask nothing more: terminal,
 * every cancel or retry answered (an open request is answered first, in the live queue, where an
 * admin sees the answer beside the command). Sorted by ID, so one call is the same on every run.
 */
export function archivableCommands(
  doc: WithCommands,
  now: number,
  retentionMs: number,
  stateOf: (command: Command) => CommandState = (command) => fold(command.spec, command.events),
): ArchivableCommand[] {
  const found: ArchivableCommand[] = [];
  const commands = plainCommands(doc.commands);
  for (const id of Object.keys(commands).sort() as CommandId[]) {
    const command = commands[id];
    if (command === undefined || !isLive(command)) continue;
    const state = stateOf(command);
    if (!isTerminal(state)) continue;
    if (state.requests.some((request) => request.answer === undefined)) continue;
    const endedAt = lastFactAt(command);
    if (endedAt === undefined || endedAt > now - retentionMs) continue;
    found.push({ id, command, state, endedAt, month: archiveMonthOf(endedAt) });
  }
  return found;
}

/** The mark that replaces an archived command in the live document. */
export function archiveMarkOf(archivable: ArchivableCommand, archivedAt: number): ArchiveMark {
  const { command, state, month } = archivable;
  const mark: ArchiveMark = {
    month,
    at: archivedAt,
    status: state.status,
    createdAt: command.spec.createdAt,
    started: state.attempts > 0,
  };
  if (command.spec.dedupeKey !== undefined) mark.dedupeKey = command.spec.dedupeKey;
  if (state.status === "superseded") mark.winner = state.winner;
  return mark;
}

/**
 * Turns the live command `id` into its mark, in place, inside one Automerge change: the spec and
 * priority go, the events list is emptied but kept, and the mark is written. Keeping the object
 * and its list is what lets an admin's concurrent intent survive the merge (archived.ts). A
 * command already archived, or absent, is left as it is.
 */
export function markArchived(draft: WithCommands, id: CommandId, mark: ArchiveMark): void {
  const entry = draft.commands[id];
  if (entry === undefined || !isLive(entry)) return;
  const emptied = entry as Partial<Stored<Command>> & Stored<ArchivedCommand>;
  delete emptied.spec;
  delete emptied.priority;
  emptied.events.splice(0, emptied.events.length);
  emptied.archived = toStored(mark);
}

/** The time of the command's last fact, or `undefined` when the agent never wrote one. */
function lastFactAt(command: Command): number | undefined {
  let at: number | undefined;
  for (const event of command.events) {
    if (!isIntent(event) && (at === undefined || event.at > at)) at = event.at;
  }
  return at;
}
