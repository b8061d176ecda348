/**
 * The convergence contract (ARCHITECTURE.md, "Convergence"): three real Automerge replicas of one
 * DeviceDoc (the agent and two admins) act while partitioned, sync in random pairs, and finally
 * merge in a random order. Every replica must then hold identical documents, identical fold results
 * for every command and the identical queue plan; the document must still validate; and the planner
 * must reach a fixpoint once the agent records what it decided.
 */

import * as A from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeviceDoc } from "../documents/device-doc.js";
import type { CommandId } from "../ids/ids.js";
import {
  anyMergeOrder,
  REPLICAS,
  type ReplicaName,
  stablePlan,
} from "../testing/queue-convergence.js";
import { agentAt, forkReplica, newDeviceReplica, T0 } from "../testing/replicas.js";
import { validateDeviceDoc } from "../validation/device-doc.js";
import { liveCommand } from "./archived.js";
import type { FactInput } from "./events.js";
import { fold } from "./fold.js";
import {
  addNote,
  enqueueCommand,
  recordFact,
  requestCancel,
  requestRetry,
  setPriority,
} from "./mutators.js";
import { planQueue } from "./plan.js";

type Replicas = Record<ReplicaName, A.Doc<DeviceDoc>>;
const ADMINS = ["alice", "bob"] as const;

const target = fc.nat({ max: 50 });
const adminOperation = fc.oneof(
  fc.record({
    op: fc.constant("enqueue" as const),
    dedupeKey: fc.option(fc.constantFrom("restart-cups", "inventory"), { nil: undefined }),
    dependsOn: fc.array(target, { maxLength: 2 }),
    priority: fc.integer({ min: 0, max: 9 }),
    expiresInS: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
    notBeforeInS: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  }),
  fc.record({ op: fc.constantFrom("cancel" as const, "retry" as const, "note" as const), target }),
  fc.record({
    op: fc.constant("priority" as const),
    target,
    value: fc.integer({ min: 0, max: 9 }),
  }),
);
const agentOperation = fc.oneof(
  fc.record({ op: fc.constant("plan" as const) }),
  fc.record({
    op: fc.constant("run" as const),
    ending: fc.constantFrom("succeeded", "failed", "interrupted", "still-running"),
  }),
  fc.record({
    op: fc.constant("finish" as const),
    target,
    ending: fc.constantFrom("succeeded", "failed"),
  }),
  // Arbitrary facts, sensible or not, keep the fold honest about totality.
  fc.record({
    op: fc.constant("fact" as const),
    target,
    type: fc.constantFrom(
      "accepted",
      "started",
      "succeeded",
      "failed",
      "interrupted",
      "expired",
      "cancelled",
    ),
  }),
);
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ who: fc.constantFrom(...ADMINS), action: adminOperation }) },
  {
    weight: 3,
    arbitrary: fc.record({ who: fc.constant("agent" as const), action: agentOperation }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      sync: fc.tuple(fc.constantFrom(...REPLICAS), fc.constantFrom(...REPLICAS)),
    }),
  },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function commandIds(doc: A.Doc<DeviceDoc>): CommandId[] {
  return (Object.keys(doc.commands) as CommandId[]).sort();
}

function pick(doc: A.Doc<DeviceDoc>, index: number): CommandId | undefined {
  const ids = commandIds(doc);
  return ids.length === 0 ? undefined : ids[index % ids.length];
}

const outcome = { exitCode: 0, durationMs: 5 };

function applyAdmin(
  doc: A.Doc<DeviceDoc>,
  who: "alice" | "bob",
  action: Extract<Step, { who: "alice" | "bob" }>["action"],
  now: number,
  serial: number,
): A.Doc<DeviceDoc> {
  const actor = { by: `admin:${who}`, at: now };
  if (action.op === "enqueue") {
    const known = commandIds(doc);
    const dependsOn = [
      ...new Set(
        action.dependsOn.flatMap((i) =>
          known.length ? [known[i % known.length] as CommandId] : [],
        ),
      ),
    ];
    return A.change(doc, (d) => {
      enqueueCommand(
        d,
        {
          kind: "script.run",
          id: `cmd-${who}-${serial}` as CommandId,
          dedupeKey: action.dedupeKey,
          dependsOn,
          priority: action.priority,
          expiresAt: action.expiresInS === undefined ? undefined : now + action.expiresInS * 1000,
          notBefore:
            action.notBeforeInS === undefined ? undefined : now + action.notBeforeInS * 1000,
        },
        actor,
      );
    });
  }
  const id = pick(doc, action.target);
  if (id === undefined) return doc;
  return A.change(doc, (d) => {
    if (action.op === "cancel") requestCancel(d, id, actor);
    else if (action.op === "retry") requestRetry(d, id, actor);
    else if (action.op === "note") addNote(d, id, "looked at it", actor);
    else if (action.op === "priority") setPriority(d, id, action.value, actor);
  });
}

function applyAgent(
  doc: A.Doc<DeviceDoc>,
  action: Extract<Step, { who: "agent" }>["action"],
  now: number,
): A.Doc<DeviceDoc> {
  const actor = agentAt(now);
  if (action.op === "plan") return recordPlan(doc, now);
  if (action.op === "run") {
    const next = planQueue(doc, now).runnable[0];
    if (next === undefined) return doc;
    // `started` is its own change (the agent flushes it before spawning); the outcome follows.
    const started = A.change(doc, (d) =>
      recordFact(d, next.id, { type: "started", attempt: next.state.attempts + 1 }, actor),
    );
    if (action.ending === "still-running") return started;
    const ending: FactInput =
      action.ending === "interrupted" ? { type: "interrupted" } : { type: action.ending, outcome };
    return A.change(started, (d) => recordFact(d, next.id, ending, agentAt(now + 500)));
  }
  const id = pick(doc, action.target);
  if (id === undefined) return doc;
  if (action.op === "finish") {
    const command = liveCommand(doc.commands, id);
    if (!command || fold(command.spec, command.events).status !== "running") return doc;
    return A.change(doc, (d) => recordFact(d, id, { type: action.ending, outcome }, actor));
  }
  const fact: FactInput =
    action.type === "started"
      ? { type: "started", attempt: 1 }
      : action.type === "succeeded" || action.type === "failed"
        ? { type: action.type, outcome }
        : { type: action.type };
  return A.change(doc, (d) => recordFact(d, id, fact, actor));
}

/** The agent records every decision of the plan at `now`, in one change. */
function recordPlan(doc: A.Doc<DeviceDoc>, now: number): A.Doc<DeviceDoc> {
  const { decisions } = planQueue(doc, now);
  if (decisions.length === 0) return doc;
  return A.change(doc, (d) => {
    for (const decision of decisions)
      recordFact(d, decision.commandId, decision.fact, agentAt(now));
  });
}

function run(initialCommands: number, steps: Step[], mergeOrder: ReplicaName[]): void {
  let base = newDeviceReplica("00");
  base = A.change(base, (d) => {
    for (let i = 0; i < initialCommands; i += 1) {
      enqueueCommand(
        d,
        {
          kind: "script.run",
          id: `cmd-base-${i}` as CommandId,
          dedupeKey: i % 2 ? "inventory" : undefined,
        },
        { by: "admin:alice", at: T0 },
      );
    }
  });
  const replicas: Replicas = {
    agent: forkReplica(base, "a1"),
    alice: forkReplica(base, "b1"),
    bob: forkReplica(base, "c1"),
  };

  steps.forEach((s, index) => {
    const now = T0 + (index + 1) * 7_000;
    if ("sync" in s) {
      const [from, to] = s.sync;
      if (from !== to) replicas[to] = A.merge(replicas[to], replicas[from]);
    } else if (s.who === "agent") {
      replicas.agent = applyAgent(replicas.agent, s.action, now);
    } else {
      replicas[s.who] = applyAdmin(replicas[s.who], s.who, s.action, now, index);
    }
  });

  // Final exchange in a random order: a chain through all three, then back around.
  const [first, second, third] = mergeOrder as [ReplicaName, ReplicaName, ReplicaName];
  replicas[second] = A.merge(replicas[second], replicas[first]);
  replicas[third] = A.merge(replicas[third], replicas[second]);
  replicas[first] = A.merge(replicas[first], replicas[third]);
  replicas[second] = A.merge(replicas[second], replicas[third]);

  const now = T0 + (steps.length + 2) * 7_000;
  const reference = replicas.agent;
  const referenceIds = commandIds(reference);
  for (const name of REPLICAS) {
    const doc = replicas[name];
    expect(A.getHeads(doc).sort(), `${name} heads`).toEqual(A.getHeads(reference).sort());
    expect(A.toJS(doc), `${name} document`).toEqual(A.toJS(reference));
    expect(commandIds(doc)).toEqual(referenceIds);
    for (const id of referenceIds) {
      const mine = liveCommand(doc.commands, id);
      const theirs = liveCommand(reference.commands, id);
      if (!mine || !theirs) throw new Error(`command ${id} missing on ${name}`);
      expect(fold(mine.spec, mine.events), `${name} fold of ${id}`).toEqual(
        fold(theirs.spec, theirs.events),
      );
    }
    expect(stablePlan(doc, now), `${name} plan`).toEqual(stablePlan(reference, now));
  }

  const validated = validateDeviceDoc(A.toJS(reference));
  expect(validated.problems.map((p) => p.message)).toEqual([]);

  // What the planner predicted is what the agent's recorded facts produce: a second plan is empty.
  const settled = recordPlan(reference, now);
  expect(planQueue(settled, now).decisions).toEqual([]);
}

describe("command queue convergence", () => {
  it("every replica computes the same state for every command, for any interleaving and merge order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        anyMergeOrder,
        run,
      ),
      { numRuns: 1000 },
    );
  }, 300_000);
});
