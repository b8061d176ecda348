import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { DeviceDoc } from "../documents/device-doc.js";
import type { CommandId } from "../ids/ids.js";
import {
  agentAt,
  aliceAt,
  bobAt,
  forkReplica,
  newDeviceReplica,
  syncPair,
  T0,
} from "../testing/replicas.js";
import { liveCommand } from "./archived.js";
import type { Fact } from "./events.js";
import { fold } from "./fold.js";
import { enqueueCommand, recordFact, requestCancel, requestRetry } from "./mutators.js";
import { nextRunnable, planQueue } from "./plan.js";
import type { CommandState } from "./state.js";

const id = (value: string) => value as CommandId;
const outcome = { exitCode: 0, durationMs: 1200 };

function stateOf(doc: A.Doc<DeviceDoc>, commandId: CommandId): CommandState {
  const command = liveCommand(doc.commands, commandId);
  if (!command) throw new Error(`no command ${commandId}`);
  return fold(command.spec, command.events);
}

/** The agent records every decision the planner makes at `now`, in one change. */
function agentApplyPlan(doc: A.Doc<DeviceDoc>, now: number) {
  return A.change(doc, (d) => {
    for (const decision of planQueue(d, now).decisions) {
      recordFact(d, decision.commandId, decision.fact, agentAt(now));
    }
  });
}

function runToOutcome(
  doc: A.Doc<DeviceDoc>,
  commandId: CommandId,
  result: "succeeded" | "failed",
  at: number,
) {
  let next = A.change(doc, (d) =>
    recordFact(d, commandId, { type: "started", attempt: 1 }, agentAt(at)),
  );
  next = A.change(next, (d) =>
    recordFact(
      d,
      commandId,
      { type: result, outcome: { ...outcome, exitCode: result === "succeeded" ? 0 : 1 } },
      agentAt(at + 1000),
    ),
  );
  return next;
}

describe("cancel", () => {
  it("before start: the agent records cancelled and never runs it", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) => requestCancel(d, id("cmd-a"), bobAt(T0 + 1), "wrong device"));
    expect(stateOf(doc, id("cmd-a")).status).toBe("pending");

    doc = agentApplyPlan(doc, T0 + 2);
    const state = stateOf(doc, id("cmd-a"));
    expect(state.status).toBe("cancelled");
    expect(state.requests).toHaveLength(1);
    expect(state.requests[0]?.answer?.type).toBe("cancelled");
    expect(nextRunnable(doc, T0 + 3)).toEqual([]);
  });

  it("while running: the plan leaves it to the agent, which stops it or says it is too late", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "started", attempt: 1 }, agentAt(T0 + 1)),
    );
    let cancelId = "";
    doc = A.change(doc, (d) => {
      cancelId = requestCancel(d, id("cmd-a"), aliceAt(T0 + 2));
    });
    expect(planQueue(doc, T0 + 3).decisions).toEqual([]);

    const interruptible = A.change(A.clone(doc), (d) =>
      recordFact(
        d,
        id("cmd-a"),
        { type: "cancelled", answers: cancelId as never },
        agentAt(T0 + 4),
      ),
    );
    expect(stateOf(interruptible, id("cmd-a"))).toMatchObject({ status: "cancelled", at: T0 + 4 });

    let notInterruptible = A.change(doc, (d) =>
      recordFact(
        d,
        id("cmd-a"),
        { type: "cancel-too-late", answers: cancelId as never },
        agentAt(T0 + 4),
      ),
    );
    notInterruptible = A.change(notInterruptible, (d) =>
      recordFact(d, id("cmd-a"), { type: "succeeded", outcome }, agentAt(T0 + 5)),
    );
    const state = stateOf(notInterruptible, id("cmd-a"));
    expect(state.status).toBe("succeeded");
    expect(state.requests[0]?.answer?.type).toBe("cancel-too-late");
  });

  it("after the outcome: the outcome stands, shown with the late cancel", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = runToOutcome(doc, id("cmd-a"), "succeeded", T0 + 1);
    doc = A.change(doc, (d) => requestCancel(d, id("cmd-a"), bobAt(T0 + 5000)));
    doc = agentApplyPlan(doc, T0 + 6000);
    const state = stateOf(doc, id("cmd-a"));
    expect(state.status).toBe("succeeded");
    expect(state.requests.map((r) => [r.intent.type, r.answer?.type])).toEqual([
      ["cancel-requested", "cancel-too-late"],
    ]);
  });

  it("a cancel concurrent with the start, merged after it, is the agent's call, not the planner's", () => {
    const base = A.change(newDeviceReplica("a1"), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    let agent = forkReplica(base, "b1");
    let admin = forkReplica(base, "c1");
    agent = A.change(agent, (d) =>
      recordFact(d, id("cmd-a"), { type: "started", attempt: 1 }, agentAt(T0 + 1)),
    );
    admin = A.change(admin, (d) => requestCancel(d, id("cmd-a"), bobAt(T0 + 1)));
    [agent, admin] = syncPair(agent, admin);
    expect(stateOf(agent, id("cmd-a")).status).toBe("running");
    expect(stateOf(admin, id("cmd-a")).status).toBe("running");
    expect(planQueue(agent, T0 + 2).decisions).toEqual([]);
  });
});

describe("dedupe", () => {
  it("two admins offline enqueue the same operation: the smallest (createdAt, id) runs, the other is superseded", () => {
    const base = newDeviceReplica("a1");
    let alice = forkReplica(base, "b1");
    let bob = forkReplica(base, "c1");
    alice = A.change(alice, (d) =>
      enqueueCommand(
        d,
        { kind: "service.restart", id: id("cmd-alice"), dedupeKey: "restart-cups" },
        aliceAt(T0 + 500),
      ),
    );
    bob = A.change(bob, (d) =>
      enqueueCommand(
        d,
        { kind: "service.restart", id: id("cmd-bob"), dedupeKey: "restart-cups" },
        bobAt(T0),
      ),
    );
    let agent = forkReplica(base, "d1");
    agent = A.merge(A.merge(agent, alice), bob);
    expect(nextRunnable(agent, T0 + 1000).map((r) => r.id)).toEqual(["cmd-bob"]);
    agent = agentApplyPlan(agent, T0 + 1000);
    expect(stateOf(agent, id("cmd-alice"))).toMatchObject({
      status: "superseded",
      winner: "cmd-bob",
    });
  });

  it("equal createdAt is broken by id, the same way on every replica", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) => {
      enqueueCommand(
        d,
        { kind: "inventory.collect", id: id("cmd-zz"), dedupeKey: "inv" },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "inventory.collect", id: id("cmd-aa"), dedupeKey: "inv" },
        bobAt(T0),
      );
    });
    expect(nextRunnable(doc, T0).map((r) => r.id)).toEqual(["cmd-aa"]);
  });

  it("a twin that arrives after the other one started is superseded by the started one", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) =>
      enqueueCommand(
        d,
        { kind: "service.restart", id: id("cmd-late"), dedupeKey: "k" },
        aliceAt(T0 + 500),
      ),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-late"), { type: "started", attempt: 1 }, agentAt(T0 + 600)),
    );
    doc = A.change(doc, (d) =>
      enqueueCommand(
        d,
        { kind: "service.restart", id: id("cmd-early"), dedupeKey: "k" },
        bobAt(T0),
      ),
    );
    doc = agentApplyPlan(doc, T0 + 700);
    expect(stateOf(doc, id("cmd-early"))).toMatchObject({
      status: "superseded",
      winner: "cmd-late",
    });
    expect(stateOf(doc, id("cmd-late")).status).toBe("running");
  });

  it("a cancelled twin does not stand in the way of a new one", () => {
    let doc = newDeviceReplica();
    doc = A.change(doc, (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-old"), dedupeKey: "k" }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) => requestCancel(d, id("cmd-old"), aliceAt(T0 + 1)));
    doc = agentApplyPlan(doc, T0 + 2);
    doc = A.change(doc, (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-new"), dedupeKey: "k" }, aliceAt(T0 + 3)),
    );
    expect(nextRunnable(doc, T0 + 4).map((r) => r.id)).toEqual(["cmd-new"]);
  });
});

describe("dependencies", () => {
  function withChain() {
    return A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-first") }, aliceAt(T0));
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-second"), dependsOn: [id("cmd-first")] },
        aliceAt(T0),
      );
    });
  }

  it("a dependent waits until its dependency succeeded, then runs", () => {
    let doc = withChain();
    const plan = planQueue(doc, T0);
    expect(plan.runnable.map((r) => r.id)).toEqual(["cmd-first"]);
    expect(plan.waiting).toEqual([
      { id: "cmd-second", reason: "dependencies", detail: "waiting for cmd-first (pending)" },
    ]);
    doc = runToOutcome(doc, id("cmd-first"), "succeeded", T0 + 1);
    expect(nextRunnable(doc, T0 + 5000).map((r) => r.id)).toEqual(["cmd-second"]);
  });

  it.each([
    ["failed", (doc: A.Doc<DeviceDoc>) => runToOutcome(doc, id("cmd-first"), "failed", T0 + 1)],
    [
      "cancelled",
      (doc: A.Doc<DeviceDoc>) =>
        agentApplyPlan(
          A.change(doc, (d) => requestCancel(d, id("cmd-first"), aliceAt(T0 + 1))),
          T0 + 2,
        ),
    ],
    [
      "expired",
      (doc: A.Doc<DeviceDoc>) =>
        A.change(doc, (d) => recordFact(d, id("cmd-first"), { type: "expired" }, agentAt(T0 + 1))),
    ],
  ])("a dependency that %s blocks the dependent, naming it", (ending, end) => {
    const doc = agentApplyPlan(end(withChain()), T0 + 10_000);
    expect(stateOf(doc, id("cmd-second"))).toMatchObject({
      status: "blocked",
      dependency: "cmd-first",
      reason: `dependency cmd-first ${ending}`,
    });
  });

  it("blocking cascades in one plan, whatever order the IDs sort in", () => {
    // cmd-10 depends on cmd-4, which depends on cmd-1; "cmd-10" sorts before "cmd-4".
    let doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-1") }, aliceAt(T0));
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-4"), dependsOn: [id("cmd-1")] },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-10"), dependsOn: [id("cmd-4")] },
        aliceAt(T0),
      );
    });
    doc = agentApplyPlan(
      A.change(doc, (d) => requestCancel(d, id("cmd-1"), aliceAt(T0 + 1))),
      T0 + 2,
    );
    expect(stateOf(doc, id("cmd-4")).status).toBe("blocked");
    expect(stateOf(doc, id("cmd-10"))).toMatchObject({ status: "blocked", dependency: "cmd-4" });
    expect(planQueue(doc, T0 + 3).decisions).toEqual([]);
  });

  it("a dependency not yet on this device is waited for, not treated as failed", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-b"), dependsOn: [id("cmd-unseen")] },
        aliceAt(T0),
      ),
    );
    const plan = planQueue(doc, T0);
    expect(plan.decisions).toEqual([]);
    expect(plan.waiting[0]?.detail).toBe("waiting for cmd-unseen (not on this device yet)");
  });

  it("a superseded dependency stands for the command that replaced it", () => {
    let doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-twin1"), dedupeKey: "k" }, aliceAt(T0));
      enqueueCommand(d, { kind: "script.run", id: id("cmd-twin2"), dedupeKey: "k" }, bobAt(T0 + 1));
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-after"), dependsOn: [id("cmd-twin2")] },
        bobAt(T0 + 2),
      );
    });
    doc = agentApplyPlan(doc, T0 + 3);
    expect(stateOf(doc, id("cmd-twin2")).status).toBe("superseded");
    expect(stateOf(doc, id("cmd-after")).status).toBe("pending");
    doc = runToOutcome(doc, id("cmd-twin1"), "succeeded", T0 + 4);
    expect(nextRunnable(doc, T0 + 10_000).map((r) => r.id)).toEqual(["cmd-after"]);
  });

  it("a cycle is rejected with the cycle in the reason", () => {
    let doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-x"), dependsOn: [id("cmd-y")] },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-y"), dependsOn: [id("cmd-z")] },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-z"), dependsOn: [id("cmd-x")] },
        bobAt(T0),
      );
    });
    doc = agentApplyPlan(doc, T0 + 1);
    expect(stateOf(doc, id("cmd-x"))).toMatchObject({
      status: "rejected",
      reason: "dependency cycle: cmd-x → cmd-y → cmd-z → cmd-x",
    });
    expect(stateOf(doc, id("cmd-z")).status).toBe("rejected");
  });
});

describe("time", () => {
  it("expires a command that has not started by expiresAt, but not one that is running", () => {
    let doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-idle"), expiresAt: T0 + 60_000 },
        aliceAt(T0),
      );
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-busy"), expiresAt: T0 + 60_000 },
        aliceAt(T0),
      );
    });
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-busy"), { type: "started", attempt: 1 }, agentAt(T0 + 1)),
    );
    expect(planQueue(doc, T0 + 59_999).decisions).toEqual([]);
    doc = agentApplyPlan(doc, T0 + 60_000);
    expect(stateOf(doc, id("cmd-idle")).status).toBe("expired");
    expect(stateOf(doc, id("cmd-busy")).status).toBe("running");
  });

  it("holds a command back until notBefore", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-later"), notBefore: Date.UTC(2026, 10, 22) },
        aliceAt(T0),
      ),
    );
    expect(planQueue(doc, T0).waiting).toEqual([
      { id: "cmd-later", reason: "not-before", detail: "not before 2026-11-22T00:00:00.000Z" },
    ]);
    expect(nextRunnable(doc, Date.UTC(2026, 10, 22)).map((r) => r.id)).toEqual(["cmd-later"]);
  });
});

describe("crash and retry", () => {
  it("a started command with no outcome becomes interrupted, and retried if the kind is idempotent", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "inventory.collect", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "started", attempt: 1 }, agentAt(T0 + 1)),
    );
    // The agent restarts, finds `running`, and records the crash and (idempotent kind) a retry in one change.
    doc = A.change(doc, (d) => {
      recordFact(d, id("cmd-a"), { type: "interrupted" }, agentAt(T0 + 50_000));
      recordFact(
        d,
        id("cmd-a"),
        { type: "retry-scheduled", notBefore: T0 + 80_000 },
        agentAt(T0 + 50_000),
      );
    });
    expect(stateOf(doc, id("cmd-a"))).toMatchObject({
      status: "retry-wait",
      notBefore: T0 + 80_000,
      attempts: 1,
    });
    expect(nextRunnable(doc, T0 + 79_999)).toEqual([]);
    expect(nextRunnable(doc, T0 + 80_000).map((r) => r.id)).toEqual(["cmd-a"]);
  });

  it("a non-idempotent interrupted command stays interrupted until an admin asks for a retry", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "started", attempt: 1 }, agentAt(T0 + 1)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "interrupted" }, agentAt(T0 + 2)),
    );
    expect(planQueue(doc, T0 + 3)).toMatchObject({ decisions: [], runnable: [] });
    doc = A.change(doc, (d) => requestRetry(d, id("cmd-a"), aliceAt(T0 + 4)));
    doc = agentApplyPlan(doc, T0 + 5);
    const state = stateOf(doc, id("cmd-a"));
    expect(state).toMatchObject({
      status: "retry-wait",
      notBefore: T0 + 5,
      attemptsSinceManualRetry: 0,
    });
    expect(state.requests[0]?.answer?.type).toBe("retry-scheduled");
  });

  it("a retry request on a command that succeeded is declined with the reason", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = runToOutcome(doc, id("cmd-a"), "succeeded", T0 + 1);
    doc = A.change(doc, (d) => requestRetry(d, id("cmd-a"), aliceAt(T0 + 5000)));
    doc = agentApplyPlan(doc, T0 + 6000);
    const answer = stateOf(doc, id("cmd-a")).requests[0]?.answer as Fact;
    expect(answer).toMatchObject({ type: "retry-declined", reason: "the command is succeeded" });
  });

  it("a retry then a cancel on a failed command: the retry is scheduled, then the cancel cancels it", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = runToOutcome(doc, id("cmd-a"), "failed", T0 + 1);
    doc = A.change(doc, (d) => requestRetry(d, id("cmd-a"), aliceAt(T0 + 10)));
    doc = A.change(doc, (d) => requestCancel(d, id("cmd-a"), bobAt(T0 + 11)));
    doc = agentApplyPlan(doc, T0 + 20);
    const state = stateOf(doc, id("cmd-a"));
    expect(state.status).toBe("cancelled");
    expect(state.requests.map((r) => r.answer?.type)).toEqual(["retry-scheduled", "cancelled"]);
  });

  it("counts attempts against the retry budget, and an admin's retry grants a fresh budget", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(
        d,
        { kind: "script.run", id: id("cmd-a"), retry: { maxAttempts: 2 } },
        aliceAt(T0),
      ),
    );
    doc = runToOutcome(doc, id("cmd-a"), "failed", T0 + 1);
    expect(stateOf(doc, id("cmd-a")).automaticAttemptsLeft).toBe(1);
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "retry-scheduled", notBefore: T0 + 5 }, agentAt(T0 + 2)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "started", attempt: 2 }, agentAt(T0 + 5)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "failed", outcome }, agentAt(T0 + 6)),
    );
    expect(stateOf(doc, id("cmd-a"))).toMatchObject({
      status: "failed",
      attempts: 2,
      automaticAttemptsLeft: 0,
    });
    doc = A.change(doc, (d) => requestRetry(d, id("cmd-a"), aliceAt(T0 + 7)));
    doc = agentApplyPlan(doc, T0 + 8);
    expect(stateOf(doc, id("cmd-a"))).toMatchObject({
      status: "retry-wait",
      attempts: 2,
      automaticAttemptsLeft: 2,
    });
  });
});

describe("priority", () => {
  it("runs higher priority first, then older, then by id", () => {
    const doc = A.change(newDeviceReplica(), (d) => {
      enqueueCommand(d, { kind: "script.run", id: id("cmd-low"), priority: 1 }, aliceAt(T0));
      enqueueCommand(d, { kind: "script.run", id: id("cmd-new"), priority: 5 }, aliceAt(T0 + 10));
      enqueueCommand(d, { kind: "script.run", id: id("cmd-old"), priority: 5 }, aliceAt(T0));
      enqueueCommand(d, { kind: "script.run", id: id("cmd-top"), priority: 9 }, aliceAt(T0 + 20));
    });
    expect(nextRunnable(doc, T0 + 30).map((r) => r.id)).toEqual([
      "cmd-top",
      "cmd-old",
      "cmd-new",
      "cmd-low",
    ]);
  });

  it("refuses a priority out of range with a message naming the field", () => {
    expect(() =>
      A.change(newDeviceReplica(), (d) =>
        enqueueCommand(d, { kind: "script.run", priority: 12 }, aliceAt(T0)),
      ),
    ).toThrow(/priority: expected .*9/);
  });

  it("refuses a spec that depends on itself", () => {
    expect(() =>
      A.change(newDeviceReplica(), (d) =>
        enqueueCommand(
          d,
          { kind: "script.run", id: id("cmd-self"), dependsOn: [id("cmd-self")] },
          aliceAt(T0),
        ),
      ),
    ).toThrow(/spec.dependsOn: expected no dependency on the command itself/);
  });
});

describe("totality", () => {
  it("a fact that makes no sense in its state is kept as an anomaly and changes nothing", () => {
    let doc = A.change(newDeviceReplica(), (d) =>
      enqueueCommand(d, { kind: "script.run", id: id("cmd-a") }, aliceAt(T0)),
    );
    doc = A.change(doc, (d) =>
      recordFact(d, id("cmd-a"), { type: "succeeded", outcome }, agentAt(T0 + 1)),
    );
    const state = stateOf(doc, id("cmd-a"));
    expect(state.status).toBe("pending");
    expect(state.anomalies).toEqual([
      { fact: expect.objectContaining({ type: "succeeded" }), status: "pending" },
    ]);
  });
});
