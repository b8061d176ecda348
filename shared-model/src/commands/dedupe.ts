import type { CommandId } from "../ids/ids.js";
import type { ArchiveMark } from "./archived.js";
import type { QueueEntries } from "./queue-entries.js";

/** Members that ended without running never win: a later twin may still do the work. */
const OUT_OF_CONTENTION = new Set(["cancelled", "rejected", "expired", "superseded", "blocked"]);

/**
 * The command that stands for each dedupe key. A member that has already started (or finished)
 * stands, since the work is done or under way; otherwise the smallest (createdAt, id) wins, so
 * admins who enqueued the same operation while offline converge on one run. Archived twins
 * compete by their marks: one that ran still stands, so a duplicate never runs again.
 */
export function dedupeWinners(
  entries: QueueEntries,
  archived: ReadonlyMap<CommandId, ArchiveMark> = new Map(),
): Map<string, CommandId> {
  const best = new Map<string, { id: CommandId; started: boolean; createdAt: number }>();
  const consider = (
    key: string,
    candidate: { id: CommandId; started: boolean; createdAt: number },
  ) => {
    const current = best.get(key);
    if (current === undefined || ranksBefore(candidate, current)) best.set(key, candidate);
  };
  for (const { id, command, state } of entries.values()) {
    const spec = command.spec;
    if (spec.dedupeKey === undefined) continue;
    if (OUT_OF_CONTENTION.has(state.status)) continue;
    consider(spec.dedupeKey, { id, started: state.attempts > 0, createdAt: spec.createdAt });
  }
  for (const [id, mark] of archived) {
    if (mark.dedupeKey === undefined || OUT_OF_CONTENTION.has(mark.status)) continue;
    consider(mark.dedupeKey, { id, started: mark.started, createdAt: mark.createdAt });
  }
  return new Map([...best].map(([key, winner]) => [key, winner.id]));
}

function ranksBefore(
  a: { id: CommandId; started: boolean; createdAt: number },
  b: { id: CommandId; started: boolean; createdAt: number },
): boolean {
  if (a.started !== b.started) return a.started;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.id < b.id;
}
