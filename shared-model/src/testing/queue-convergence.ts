/**
 * Test support for the queue's property tests (convergence, archiving): the three replicas,
 * every order of the final merge, and a plan compared across replicas. Imported by path by those
 * tests; not re-exported from the testing entry, which would pull fast-check into every user.
 */
import type * as A from "@automerge/automerge";
import fc from "fast-check";
import { planQueue } from "../commands/plan.js";
import type { DeviceDoc } from "../documents/device-doc.js";

/** The agent and two admins, each with a replica of the DeviceDoc. */
export const REPLICAS = ["agent", "alice", "bob"] as const;
/** One of {@link REPLICAS}. */
export type ReplicaName = (typeof REPLICAS)[number];

/** Every order in which the three replicas can be merged at the end. */
export const anyMergeOrder: fc.Arbitrary<ReplicaName[]> = fc.constantFrom<ReplicaName[]>(
  ["agent", "alice", "bob"],
  ["agent", "bob", "alice"],
  ["alice", "agent", "bob"],
  ["alice", "bob", "agent"],
  ["bob", "agent", "alice"],
  ["bob", "alice", "agent"],
);

/** The plan without the planner's synthetic event IDs (they are per-call, not per-document). */
export function stablePlan(doc: A.Doc<DeviceDoc>, now: number) {
  const plan = planQueue(doc, now);
  return {
    decisions: plan.decisions,
    runnable: plan.runnable.map((entry) => entry.id),
    waiting: plan.waiting,
  };
}
