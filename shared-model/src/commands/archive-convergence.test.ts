/**
 * Archiving converges with admins' intents (ARCHITECTURE.md, "Archiving finished commands"):
 * three real Automerge replicas (the agent and two admins) act while partitioned; the agent runs
 * commands, records its plans and archives what its retention lets go, while admins cancel,
 * retry, note and reprioritize, the very commands being archived among them. After a final merge
 * in a random order, every replica holds the same document and plan, the document validates, no
 * admin intent is lost (each is in the live document or in the archived copy, and once the agent
 * plans, each cancel and retry is answered by a fact), a dedupe key never runs twice, and the
 * agent never ran a command before each of its dependencies had succeeded.
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
import { isArchived, liveCommand, plainEntry } from "./archived.js";
import { archivableCommands, archiveMarkOf, markArchived } from "./archiving.js";
import type { Command } from "./command.js";
import type { CommandEvent } from "./events.js";
import { isIntent } from "./events.js";
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

const ADMINS = ["alice", "bob"] as const;
const target = fc.nat({ max: 50 });

const adminOperation = fc.oneof(
  fc.record({
    op: fc.constant("enqueue" as const),
    dedupeKey: fc.option(fc.constantFrom("restart-cups", "inventory"), { nil: undefined }),
    dependsOn: fc.array(target, { maxLength: 2 }),
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
    ending: fc.constantFrom("succeeded", "failed", "interrupted"),
  }),
  // Retention from "at once" to a minute: archiving races everything else.
  fc.record({ op: fc.constant("archive" as const), retentionS: fc.integer({ min: 0, max: 60 }) }),
);
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ who: fc.constantFrom(...ADMINS), action: adminOperation }) },
  {
    weight: 4,
    arbitrary: fc.record({ who: fc.constant("agent" as const), action: agentOperation }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      sync: fc.tuple(fc.constantFrom(...REPLICAS), fc.constantFrom(...REPLICAS)),
    }),
  },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;
type AdminAction = Extract<Step, { who: "alice" | "bob" }>["action"];
type AgentAction = Extract<Step, { who: "agent" }>["action"];

/** What the agent wrote to its archive documents: each command whole, by ID. */
type ArchiveStore = Map<CommandId, Command>;

function pick(doc: A.Doc<DeviceDoc>, index: number): CommandId | undefined {
  const ids = (Object.keys(doc.commands) as CommandId[]).sort();
  return ids.length === 0 ? undefined : ids[index % ids.length];
}

class Scenario {
  readonly replicas: Record<ReplicaName, A.Doc<DeviceDoc>>;
  readonly archive: ArchiveStore = new Map();
  /** Every intent an admin wrote: its ID and the command it was written to. */
  readonly intents: { id: string; commandId: CommandId; type: string }[] = [];
  /** Commands the agent started, in order. */
  readonly runs: CommandId[] = [];

  constructor(initialCommands: number) {
    // Commands every replica starts with, some of them dedupe twins: archiving needs commands
    // the agent has run, and syncs that bring them to the agent are only some of the steps.
    const base = A.change(newDeviceReplica("00"), (d) => {
      for (let i = 0; i < initialCommands; i += 1) {
        const id = `cmd-base-${i}` as CommandId;
        enqueueCommand(
          d,
          { kind: "script.run", id, ...withKey(i % 2 ? "inventory" : undefined) },
          {
            by: "admin:alice",
            at: T0,
          },
        );
      }
    });
    this.replicas = {
      agent: forkReplica(base, "a1"),
      alice: forkReplica(base, "b1"),
      bob: forkReplica(base, "c1"),
    };
  }

  admin(who: "alice" | "bob", action: AdminAction, now: number, serial: number): void {
    const doc = this.replicas[who];
    const actor = { by: `admin:${who}`, at: now };
    if (action.op === "enqueue") {
      const known = (Object.keys(doc.commands) as CommandId[]).sort();
      const dependsOn = [
        ...new Set(
          action.dependsOn.flatMap((i) => (known.length ? [known[i % known.length]] : [])),
        ),
      ] as CommandId[];
      this.replicas[who] = A.change(doc, (d) => {
        enqueueCommand(
          d,
          {
            kind: "script.run",
            id: `cmd-${who}-${serial}` as CommandId,
            ...withKey(action.dedupeKey),
            dependsOn,
          },
          actor,
        );
      });
      return;
    }
    const id = pick(doc, action.target);
    if (id === undefined) return;
    this.replicas[who] = A.change(doc, (d) => {
      // An admin acts on what their replica shows, which may be a command the agent has
      // archived meanwhile (or already, in a replica that saw it): the race under test.
      let intentId: string | undefined;
      if (action.op === "cancel") intentId = requestCancel(d, id, actor);
      else if (action.op === "retry") intentId = requestRetry(d, id, actor);
      else if (action.op === "note") intentId = addNote(d, id, "looked at it", actor);
      else if (action.op === "priority") setPriority(d, id, action.value, actor);
      if (intentId !== undefined)
        this.intents.push({ id: intentId, commandId: id, type: action.op });
    });
  }

  agent(action: AgentAction, now: number): void {
    const doc = this.replicas.agent;
    if (action.op === "plan") {
      this.replicas.agent = recordPlan(doc, now);
    } else if (action.op === "run") {
      // As the agent does: record the plan's decisions first, then start the best runnable. A
      // plan may count a dependency as done through a dedupe twin it has only just superseded;
      // once recorded, the document says so too.
      const planned = recordPlan(doc, now);
      this.replicas.agent = planned;
      const next = planQueue(planned, now).runnable[0];
      if (next === undefined) return;
      this.expectDependenciesSucceeded(planned, next.command);
      this.runs.push(next.id);
      const started = A.change(planned, (d) =>
        recordFact(d, next.id, { type: "started", attempt: next.state.attempts + 1 }, agentAt(now)),
      );
      const ending =
        action.ending === "interrupted"
          ? ({ type: "interrupted" } as const)
          : ({ type: action.ending, outcome: { exitCode: 0, durationMs: 5 } } as const);
      this.replicas.agent = A.change(started, (d) =>
        recordFact(d, next.id, ending, agentAt(now + 500)),
      );
    } else {
      // As the agent does: answer first (a plan), then archive, the archive written first.
      const planned = recordPlan(doc, now);
      const archivable = archivableCommands(planned, now, action.retentionS * 1000);
      for (const { id, command } of archivable)
        this.archive.set(id, JSON.parse(JSON.stringify(command)) as Command);
      this.replicas.agent =
        archivable.length === 0
          ? planned
          : A.change(planned, (d) => {
              for (const entry of archivable) markArchived(d, entry.id, archiveMarkOf(entry, now));
            });
    }
  }

  /** A run only ever starts once every dependency, live or archived, truly succeeded. */
  expectDependenciesSucceeded(doc: A.Doc<DeviceDoc>, command: Command): void {
    for (const dependency of command.spec.dependsOn) {
      expect(this.statusOf(doc, dependency), `dependency ${dependency} of ${command.spec.id}`).toBe(
        "succeeded",
      );
    }
  }

  /** A command's status from its full events (the archived copy for an archived one). */
  statusOf(doc: A.Doc<DeviceDoc>, id: CommandId): string | undefined {
    const command = liveCommand(doc.commands, id) ?? this.archive.get(id);
    if (command === undefined) return undefined;
    const state = fold(command.spec, command.events);
    if (state.status === "superseded") return this.statusOf(doc, state.winner);
    return state.status;
  }

  /** Every event of the command: the live entry's (a mark's, for an archived one) and its copy. */
  eventsOf(doc: A.Doc<DeviceDoc>, id: CommandId): CommandEvent[] {
    const entry = doc.commands[id];
    const live = entry === undefined ? [] : plainEntry(entry).events;
    return [...live, ...(this.archive.get(id)?.events ?? [])];
  }
}

function withKey(dedupeKey: string | undefined): { dedupeKey?: string } {
  return dedupeKey === undefined ? {} : { dedupeKey };
}

function recordPlan(doc: A.Doc<DeviceDoc>, now: number): A.Doc<DeviceDoc> {
  const { decisions } = planQueue(doc, now);
  if (decisions.length === 0) return doc;
  return A.change(doc, (d) => {
    for (const decision of decisions)
      recordFact(d, decision.commandId, decision.fact, agentAt(now));
  });
}

function run(initialCommands: number, steps: Step[], mergeOrder: ReplicaName[]): void {
  const scenario = new Scenario(initialCommands);
  const { replicas } = scenario;
  steps.forEach((s, index) => {
    const now = T0 + (index + 1) * 7_000;
    if ("sync" in s) {
      const [from, to] = s.sync;
      if (from !== to) replicas[to] = A.merge(replicas[to], replicas[from]);
    } else if (s.who === "agent") scenario.agent(s.action, now);
    else scenario.admin(s.who, s.action, now, index);
  });
  const [first, second, third] = mergeOrder as [ReplicaName, ReplicaName, ReplicaName];
  replicas[second] = A.merge(replicas[second], replicas[first]);
  replicas[third] = A.merge(replicas[third], replicas[second]);
  replicas[first] = A.merge(replicas[first], replicas[third]);
  replicas[second] = A.merge(replicas[second], replicas[third]);

  const now = T0 + (steps.length + 2) * 7_000;
  const reference = replicas.agent;
  for (const name of REPLICAS) {
    const doc = replicas[name];
    expect(A.getHeads(doc).sort(), `${name} heads`).toEqual(A.getHeads(reference).sort());
    expect(A.toJS(doc), `${name} document`).toEqual(A.toJS(reference));
    expect(stablePlan(doc, now), `${name} plan`).toEqual(stablePlan(reference, now));
  }
  const validated = validateDeviceDoc(A.toJS(reference));
  expect(validated.problems.map((p) => p.message)).toEqual([]);

  // The agent plans the merged queue; then nothing is left to decide, and no intent is lost.
  const settled = recordPlan(reference, now);
  expect(planQueue(settled, now).decisions).toEqual([]);
  for (const intent of scenario.intents) {
    const events = scenario.eventsOf(settled, intent.commandId);
    expect(
      events.some((event) => event.id === intent.id),
      `intent ${intent.id} (${intent.type}) on ${intent.commandId}`,
    ).toBe(true);
    if (intent.type === "note") continue;
    const answered = events.some(
      (event) => !isIntent(event) && "answers" in event && event.answers === intent.id,
    );
    expect(answered, `answer to ${intent.id} (${intent.type}) on ${intent.commandId}`).toBe(true);
  }
  // A dedupe key runs once, whether its twin that ran is live or archived.
  const ranByKey = new Map<string, Set<CommandId>>();
  for (const id of scenario.runs) {
    const key = (liveCommand(settled.commands, id) ?? scenario.archive.get(id))?.spec.dedupeKey;
    if (key === undefined) continue;
    ranByKey.set(key, (ranByKey.get(key) ?? new Set()).add(id));
  }
  for (const [key, ran] of ranByKey) expect([...ran], `runs of dedupe key ${key}`).toHaveLength(1);
  // An archived command stays archived: no replica resurrects its spec.
  for (const id of scenario.archive.keys()) {
    const entry = settled.commands[id];
    expect(entry !== undefined && isArchived(entry), `${id} archived`).toBe(true);
  }
}

/**
 * Found by this property: a dependency's dedupe twin ran, so the agent's next plan supersedes the
 * dependency in the twin's favour and its dependent may run. The agent records that plan before it
 * starts the dependent, as the real agent does; a model that skipped recording saw the dependency
 * still pending.
 */
const DEPENDENCY_THROUGH_A_TWIN: [number, Step[], ReplicaName[]] = [
  4,
  [
    { who: "agent", action: { op: "run", ending: "succeeded" } },
    { who: "alice", action: { op: "enqueue", dedupeKey: undefined, dependsOn: [3] } },
    { sync: ["alice", "agent"] },
    { who: "agent", action: { op: "run", ending: "succeeded" } },
    { who: "agent", action: { op: "run", ending: "succeeded" } },
    { who: "agent", action: { op: "run", ending: "succeeded" } },
  ],
  ["agent", "alice", "bob"],
];

describe("archiving converges with admins' intents", () => {
  it("every replica agrees, no intent is lost, no dedupe key runs twice, for any interleaving", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        anyMergeOrder,
        run,
      ),
      { numRuns: 1000, examples: [DEPENDENCY_THROUGH_A_TWIN] },
    );
  }, 300_000);
});
