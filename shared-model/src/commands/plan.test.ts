/**
 * planQueue on large and odd queues, and the two things that let the agent plan a 10,000-command
 * queue cheaply on every tick: FoldCache over Automerge snapshots and the plan's `stableUntil`.
 * (The queue semantics themselves are in fold.test.ts and convergence.test.ts.)
 */

import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { DeviceDoc } from "../documents/device-doc.js";
import type { CommandId } from "../ids/ids.js";
import { agentAt, aliceAt, newDeviceReplica, T0 } from "../testing/replicas.js";
import { liveCommand, liveCommands } from "./archived.js";
import type { Command } from "./command.js";
import { fold } from "./fold.js";
import { FoldCache } from "./fold-cache.js";
import { enqueueCommand, recordFact, requestCancel } from "./mutators.js";
import { planQueue } from "./plan.js";

const id = (value: string) => value as CommandId;
const numbered = (index: number) => id(`cmd-${String(index).padStart(5, "0")}`);

/** `count` commands, each depending on the next one (the last depends on `lastDependsOn`). */
function chain(count: number, lastDependsOn: CommandId[] = []): A.Doc<DeviceDoc> {
  let doc = newDeviceReplica();
  // In changes of 500: one Automerge change of 10,000 commands takes seconds to build.
  for (let start = 0; start < count; start += 500) {
    doc = A.change(doc, (d) => {
      for (let index = start; index < Math.min(count, start + 500); index += 1) {
        const dependsOn = index === count - 1 ? lastDependsOn : [numbered(index + 1)];
        enqueueCommand(d, { kind: "script.run", id: numbered(index), dependsOn }, aliceAt(T0));
      }
    });
  }
  return doc;
}

describe("planQueue on long dependency chains", () => {
  it("blocks all 2,000 commands of a chain whose end failed, in one plan", () => {
    let doc = chain(2_000, [id("cmd-root")]);
    doc = A.change(doc, (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-root") }, aliceAt(T0));
      recordFact(d, id("cmd-root"), { type: "started", attempt: 1 }, agentAt(T0 + 1));
      recordFact(
        d,
        id("cmd-root"),
        { type: "failed", outcome: { exitCode: 1, durationMs: 5 } },
        agentAt(T0 + 2),
      );
    });
    const plan = planQueue(doc, T0 + 3);
    expect(plan.decisions).toHaveLength(2_000);
    expect(plan.decisions.every((decision) => decision.fact.type === "blocked")).toBe(true);
    expect(plan.decisions.find((d) => d.commandId === numbered(0))?.fact).toMatchObject({
      dependency: numbered(1),
      reason: `dependency ${numbered(1)} blocked`,
    });
    expect(plan.runnable).toEqual([]);
  });

  // 10,000 deep: a recursive search would overflow the stack.
  it("rejects every member of a ring of 10,000 commands, each with the ring from itself", () => {
    const doc = chain(10_000, [numbered(0)]);
    const plan = planQueue(doc, T0 + 1);
    expect(plan.decisions).toHaveLength(10_000);
    const reasonOf = (commandId: CommandId) => {
      const fact = plan.decisions.find((d) => d.commandId === commandId)?.fact;
      return fact?.type === "rejected" ? fact.reason : undefined;
    };
    expect(reasonOf(numbered(5))).toBe(
      `dependency cycle: ${[5, 6, 7, 8, 9, 10, 11, 12].map(numbered).join(" → ")} → … 9992 more → ${numbered(5)}`,
    );
    expect(reasonOf(numbered(9_999))).toBe(
      `dependency cycle: ${[9_999, 0, 1, 2, 3, 4, 5, 6].map(numbered).join(" → ")} → … 9992 more → ${numbered(9_999)}`,
    );
  });

  it("leaves a command alone whose dependency on a cycle has already run", () => {
    // Only a tampered document gets here: cmd-b depends on cmd-a, which ran although it depends
    // on cmd-b. cmd-a's success settles cmd-b; there is no deadlock to reject.
    let doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-a"), dependsOn: [id("cmd-b")] },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-b"), dependsOn: [id("cmd-a")] },
        aliceAt(T0),
      );
    });
    doc = A.change(doc, (d) => {
      recordFact(d, id("cmd-a"), { type: "started", attempt: 1 }, agentAt(T0 + 1));
      recordFact(
        d,
        id("cmd-a"),
        { type: "succeeded", outcome: { exitCode: 0, durationMs: 5 } },
        agentAt(T0 + 2),
      );
    });
    const plan = planQueue(doc, T0 + 3);
    expect(plan.decisions).toEqual([]);
    expect(plan.runnable.map((r) => r.id)).toEqual(["cmd-b"]);
  });
});

describe("a plan's stableUntil", () => {
  it("is the first notBefore or expiresAt still ahead", () => {
    const doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-now") }, aliceAt(T0));
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-later"), notBefore: T0 + 60_000 },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-expiring"), expiresAt: T0 + 30_000 },
        aliceAt(T0),
      );
    });
    expect(planQueue(doc, T0 + 1).stableUntil).toBe(T0 + 30_000);
    // Within it, a plan at a later time says the same; at it, something changes.
    expect(planQueue(doc, T0 + 29_999).decisions).toEqual([]);
    expect(planQueue(doc, T0 + 30_000).decisions).toEqual([
      { commandId: "cmd-expiring", fact: { type: "expired" } },
    ]);
    expect(planQueue(doc, T0 + 30_000).stableUntil).toBe(T0 + 30_000);
    const afterExpiry = A.change(doc, (d) =>
      recordFact(d, id("cmd-expiring"), { type: "expired" }, agentAt(T0 + 30_000)),
    );
    expect(planQueue(afterExpiry, T0 + 30_001).stableUntil).toBe(T0 + 60_000);
  });

  it("is forever for a queue with nothing ahead in time", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    expect(planQueue(doc, T0).stableUntil).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("FoldCache over Automerge snapshots", () => {
  it("gives the state of the snapshot it is asked about, and folds only what changed", () => {
    let doc = A.change(newDeviceReplica(), (d) => {
      for (let index = 0; index < 100; index += 1) {
        enqueueCommand(d, { kind: "script.run", id: numbered(index) }, aliceAt(T0));
      }
    });
    const cache = new FoldCache();
    const before = planQueue(doc, T0 + 1, { stateOf: cache.stateOf });
    expect(before.runnable).toHaveLength(100);

    doc = A.change(doc, (d) => {
      recordFact(d, numbered(7), { type: "accepted" }, agentAt(T0 + 2));
      recordFact(d, numbered(7), { type: "started", attempt: 1 }, agentAt(T0 + 3));
      requestCancel(d, numbered(8), aliceAt(T0 + 4), "not needed");
    });
    const after = planQueue(doc, T0 + 5, { stateOf: cache.stateOf });
    const fresh = planQueue(doc, T0 + 5);
    expect(after).toEqual(fresh);
    expect(after.decisions).toEqual([
      { commandId: numbered(8), fact: { type: "cancelled", answers: expect.any(String) } },
    ]);
    expect(cache.stateOf(liveCommand(doc.commands, numbered(7)) as Command).status).toBe("running");

    // The 98 commands nothing touched kept their objects, so their states come from the cache.
    const unchanged = liveCommands(doc.commands)
      .map(([, command]) => command)
      .filter((command) => !["cmd-00007", "cmd-00008"].includes(command.spec.id)) as Command[];
    const reused = unchanged.filter(
      (command) =>
        cache.stateOf(command) === before.runnable.find((r) => r.id === command.spec.id)?.state,
    );
    expect(reused).toHaveLength(98);
    expect(cache.stateOf(unchanged[0] as Command)).toEqual(
      fold((unchanged[0] as Command).spec, (unchanged[0] as Command).events),
    );
  });
});

describe("planQueue with the agent's trust", () => {
  /** Trusts what `signed` names: commands by ID, requests by intent ID, priorities by ID. */
  function trustOnly(signed: { specs: string[]; intents: string[]; priorities: string[] }) {
    return {
      specProblem: (command: Command) =>
        signed.specs.includes(command.spec.id) ? undefined : "signature-missing: unsigned",
      intentProblem: (_id: CommandId, intent: { id: string }) =>
        signed.intents.includes(intent.id) ? undefined : "signature-invalid: forged",
      priorityOf: (command: Command) =>
        signed.priorities.includes(command.spec.id) ? command.priority.value : 5,
    };
  }

  it("rejects an untrusted command before dedupe, so a forged older twin cannot supersede", () => {
    const doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("forged"), dedupeKey: "k" }, aliceAt(T0));
      enqueueCommand(d, { kind: "script.run", id: id("real"), dedupeKey: "k" }, aliceAt(T0 + 5));
    });
    const plan = planQueue(doc, T0 + 10, {
      trust: trustOnly({ specs: ["real"], intents: [], priorities: [] }),
    });
    expect(plan.decisions).toEqual([
      {
        commandId: "forged",
        fact: { type: "rejected", reason: "signature-missing: unsigned" },
      },
    ]);
    expect(plan.runnable.map((candidate) => candidate.id)).toEqual(["real"]);
    // Without trust (a dashboard's view), the older twin would win.
    expect(planQueue(doc, T0 + 10).decisions.map((d) => d.fact.type)).toEqual(["superseded"]);
  });

  it("answers an untrusted cancel intent-rejected and orders by trusted priorities only", () => {
    let cancelId = "";
    const doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a"), priority: 9 }, aliceAt(T0));
      enqueueCommand(d, { kind: "script.run", id: id("cmd-b"), priority: 7 }, aliceAt(T0 + 1));
      cancelId = requestCancel(d, id("cmd-b"), aliceAt(T0 + 2));
    });
    const plan = planQueue(doc, T0 + 10, {
      trust: trustOnly({ specs: ["cmd-a", "cmd-b"], intents: [], priorities: ["cmd-b"] }),
    });
    expect(plan.decisions).toEqual([
      {
        commandId: "cmd-b",
        fact: { type: "intent-rejected", answers: cancelId, reason: "signature-invalid: forged" },
      },
    ]);
    // a's 9 is not trusted (5), b's 7 is: b first.
    expect(plan.runnable.map((candidate) => candidate.id)).toEqual(["cmd-b", "cmd-a"]);
  });
});
