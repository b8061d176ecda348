import type { CommandId } from "../ids/ids.js";
import { append } from "../util/append.js";
import type { Command } from "./command.js";
import type { QueueEntries, QueueEntry } from "./queue-entries.js";
import type { CommandState } from "./state.js";

/** Statuses that end a dependency without success: its dependents can never run. */
const DEAD_ENDS = new Set(["failed", "interrupted", "cancelled", "rejected", "blocked", "expired"]);

/** Whether a command's dependencies let it run: all succeeded, some still open, or one dead. */
export type DependencyVerdict =
  | { kind: "ready" }
  | { kind: "wait"; reason: string }
  | { kind: "dead"; id: CommandId; reason: string };

const READY: DependencyVerdict = Object.freeze({ kind: "ready" });

/** Whether every dependency (a superseded one stands for its replacement) has succeeded. */
export function dependencyVerdict(command: Command, entries: QueueEntries): DependencyVerdict {
  if (command.spec.dependsOn.length === 0) return READY;
  let pending: string[] | undefined;
  for (const dependencyId of command.spec.dependsOn) {
    const state = followSupersession(dependencyId, entries);
    if (state === undefined) {
      pending = append(pending, `${dependencyId} (not on this device yet)`);
    } else if (DEAD_ENDS.has(state.status)) {
      return {
        kind: "dead",
        id: dependencyId,
        reason: `dependency ${dependencyId} ${state.status}`,
      };
    } else if (state.status !== "succeeded") {
      pending = append(pending, `${dependencyId} (${state.status})`);
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
): void {
  for (const watcher of waiting) {
    for (const dependencyId of watcher.command.spec.dependsOn) {
      let link = entries.get(dependencyId);
      for (let hops = 0; link !== undefined && hops <= entries.size; hops += 1) {
        if (link.watchers?.at(-1) !== watcher) link.watchers = append(link.watchers, watcher);
        link = link.state.status === "superseded" ? entries.get(link.state.winner) : undefined;
      }
    }
  }
}

/**
 * The state of the command that finally stands for `id`: a superseded command stands for the
 * one that won. Bounded by the queue's size: a tampered document could make supersession loop.
 */
function followSupersession(id: CommandId, entries: QueueEntries): CommandState | undefined {
  let state = entries.get(id)?.state;
  for (let hops = 0; state?.status === "superseded" && hops < entries.size; hops += 1) {
    state = entries.get(state.winner)?.state;
  }
  return state;
}
