import type { CommandId } from "../ids/ids.js";
import { append } from "../util/append.js";
import type { ArchiveMark } from "./archived.js";
import type { Command } from "./command.js";
import type { QueueEntries, QueueEntry } from "./queue-entries.js";
import type { CommandStatus } from "./state.js";

/** How archived commands ended, by ID (their marks). */
type ArchivedMarks = ReadonlyMap<CommandId, ArchiveMark>;
const NO_ARCHIVE: ArchivedMarks = new Map();

/** Statuses that end a dependency without success: its dependents can never run. */
const DEAD_ENDS = new Set(["failed", "interrupted", "cancelled", "rejected", "blocked", "expired"]);

/** Whether a command's dependencies let it run: all succeeded, some still open, or one dead. */
export type DependencyVerdict =
  | { kind: "ready" }
  | { kind: "wait"; reason: string }
  | { kind: "dead"; id: CommandId; reason: string };

const READY: DependencyVerdict = Object.freeze({ kind: "ready" });

/**
 * Whether every dependency (a superseded one stands for its replacement) has succeeded. An
 * archived dependency counts by how it ended, as written in its mark.
 */
export function dependencyVerdict(
  command: Command,
  entries: QueueEntries,
  archived: ArchivedMarks = NO_ARCHIVE,
): DependencyVerdict {
  if (command.spec.dependsOn.length === 0) return READY;
  let pending: string[] | undefined;
  for (const dependencyId of command.spec.dependsOn) {
    const status = followSupersession(dependencyId, entries, archived);
    if (status === undefined) {
      pending = append(pending, `${dependencyId} (not on this device yet)`);
    } else if (DEAD_ENDS.has(status)) {
      return { kind: "dead", id: dependencyId, reason: `dependency ${dependencyId} ${status}` };
    } else if (status !== "succeeded") {
      pending = append(pending, `${dependencyId} (${status})`);
    }
  }
  return pending === undefined
    ? READY
    : { kind: "wait", reason: `waiting for ${pending.join(", ")}` };
}

/**
 * Notes on each command the waiting commands to look at again if it ends without success (its
 * entry's `watchers`): those that depend on it directly or through a dependency superseded in
 * its favour.
 */
export function noteDependencyWatchers(
  waiting: readonly QueueEntry[],
  entries: QueueEntries,
  archived: ArchivedMarks = NO_ARCHIVE,
): void {
  for (const watcher of waiting) {
    for (const dependencyId of watcher.command.spec.dependsOn) {
      // An archived dependency never changes, but one superseded in favour of a live command
      // stands for that command, which may still end badly.
      const mark = archived.get(dependencyId);
      let link = entries.get(
        mark?.status === "superseded" ? (mark.winner ?? dependencyId) : dependencyId,
      );
      for (let hops = 0; link !== undefined && hops <= entries.size; hops += 1) {
        if (link.watchers?.at(-1) !== watcher) link.watchers = append(link.watchers, watcher);
        link = link.state.status === "superseded" ? entries.get(link.state.winner) : undefined;
      }
    }
  }
}

/**
 * The status of the command that finally stands for `id`, live or archived: a superseded command
 * stands for the one that won. Bounded by the queue's size: a tampered document could make
 * supersession loop.
 */
function followSupersession(
  id: CommandId,
  entries: QueueEntries,
  archived: ArchivedMarks,
): CommandStatus | undefined {
  let current: { status: CommandStatus; winner?: CommandId } | undefined = standing(id);
  const limit = entries.size + archived.size;
  for (let hops = 0; current?.status === "superseded" && hops < limit; hops += 1) {
    current = current.winner === undefined ? undefined : standing(current.winner);
  }
  return current?.status;

  function standing(of: CommandId): { status: CommandStatus; winner?: CommandId } | undefined {
    const state = entries.get(of)?.state;
    if (state !== undefined)
      return state.status === "superseded" ? state : { status: state.status };
    return archived.get(of);
  }
}
