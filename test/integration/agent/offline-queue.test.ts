/**
 * The command queue end to end, through a real relay on loopback, with nobody online at the same
 * time: admin alice enqueues five commands (priorities, a dependency, a dedupe pair) while the
 * agent is offline; admin bob, offline too, cancels one and raises another's priority; then
 * everyone reconnects. The agent runs exactly the right commands in the right order, records the
 * facts, and both admins end with the same state as the agent.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { Agent } from "@outpost/agent";
import { quietMachineCommands } from "@outpost/agent/testing";
import {
  type Actor,
  type CommandId,
  DEFAULT_POLICY,
  type DeviceDoc,
  type EnqueueInput,
  enqueueCommand,
  fold,
  requestCancel,
  setPriority,
  updatePolicy,
} from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { adminReplica, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();
const alice = (): Actor => ({ by: "admin:alice", at: Date.now() });
const bob = (): Actor => ({ by: "admin:bob", at: Date.now() });

/** The folded state of every command, as one replica sees it. */
function states(doc: DeviceDoc) {
  return Object.fromEntries(
    Object.entries(doc.commands).map(([id, command]) => [id, fold(command.spec, command.events)]),
  );
}

function eventTypes(doc: DeviceDoc, id: CommandId): string[] {
  return doc.commands[id]?.events.map((event) => event.type) ?? [];
}

describe("the command queue, offline everywhere, through a real relay", () => {
  it("runs exactly the right commands in the right order, and every replica agrees", {
    timeout: 90_000,
  }, async () => {
    const fleet = await startFleet(cleanup, { stopped: true });
    const agentData = await cleanup.tempFolder("agent");
    let relay = await fleet.startRelay();
    const bobToken = await relay.principals.addAdmin("bob");
    const ranLog = join(agentData, "ran.log");
    const startAgent = () =>
      fleet.startAgent({
        dataDirectory: agentData,
        sampleIntervalS: 1,
        commands: quietMachineCommands(join(agentData, "scripts")),
      });

    // The device enrolls and its document reaches the relay; then it goes offline.
    let agent: Agent = await startAgent();
    await eventually(() => agent.link.isOnline(), "the agent connecting");
    const aliceRepo: Repo = adminReplica(fleet.port, fleet.adminToken, cleanup, "alice");
    const bobRepo: Repo = adminReplica(fleet.port, bobToken, cleanup, "bob");
    const atAlice: DocHandle<DeviceDoc> = await aliceRepo.find<DeviceDoc>(agent.device.url);
    const atBob: DocHandle<DeviceDoc> = await bobRepo.find<DeviceDoc>(agent.device.url);
    await agent.stop();

    // Alice, online, while the agent is away: four commands and the policy that allows them.
    const shell = (name: string, extra: Partial<EnqueueInput> = {}): EnqueueInput => ({
      kind: "shell.run",
      args: { command: `echo ${name} >> ${ranLog}` },
      ...extra,
    });
    let ids: Record<string, CommandId> = {};
    atAlice.change((doc) => {
      updatePolicy(
        doc,
        { allowShell: true, load: { ...DEFAULT_POLICY.load, sustainedS: 0 } },
        alice(),
      );
      const a = enqueueCommand(doc, shell("A", { priority: 4 }), alice());
      ids = {
        a,
        b: enqueueCommand(doc, shell("B", { priority: 8 }), alice()),
        // Higher than A, but it must wait for A.
        c: enqueueCommand(doc, shell("C", { priority: 6, dependsOn: [a] }), alice()),
        d1: enqueueCommand(doc, shell("D1", { priority: 2, dedupeKey: "cleanup" }), alice()),
      };
    });
    await eventually(() => Object.keys(atBob.doc().commands).length === 4, "bob seeing the queue");

    // Now nobody can reach the relay.
    await relay.stop(); // closed every socket: nothing below reaches it
    // Alice, offline, enqueues the same clean-up again: the dedupe pair.
    atAlice.change((doc) => {
      ids.d2 = enqueueCommand(doc, shell("D2", { priority: 2, dedupeKey: "cleanup" }), alice());
    });
    // Bob, offline, cancels B and raises D1 above everything.
    atBob.change((doc) => {
      requestCancel(doc, ids.b as CommandId, bob(), "not needed this week");
      setPriority(doc, ids.d1 as CommandId, 9, bob());
    });

    // Everyone reconnects: the admins first, so the relay has both offline edits; then the agent.
    relay = await fleet.startRelay();
    await eventually(
      () =>
        atAlice.doc().commands[ids.b as CommandId]?.events.length === 1 &&
        atBob.doc().commands[ids.d2 as CommandId] !== undefined,
      "the admins merging through the relay",
    );
    agent = await startAgent();

    const { a, b, c, d1, d2 } = ids as Record<string, CommandId>;
    const settled = (doc: DeviceDoc) =>
      ["succeeded", "cancelled", "superseded"].includes(states(doc)[c as string]?.status ?? "") &&
      [a, b, d1, d2].every((id) =>
        ["succeeded", "cancelled", "superseded"].includes(states(doc)[id as string]?.status ?? ""),
      );
    await eventually(
      () => settled(agent.device.doc()),
      "the agent working through the queue",
      60_000,
    );

    // Exactly the right commands, in the right order: D1 (raised to 9), A (4), then C (6, after A).
    expect(await readFile(ranLog, "utf8")).toBe("D1\nA\nC\n");
    const device = agent.device.doc();
    expect(states(device)).toMatchObject({
      [a as string]: { status: "succeeded" },
      [b as string]: { status: "cancelled" },
      [c as string]: { status: "succeeded" },
      [d1 as string]: { status: "succeeded" },
      [d2 as string]: { status: "superseded", winner: d1 },
    });
    expect(eventTypes(device, b as CommandId)).toEqual(["cancel-requested", "cancelled"]);
    expect(eventTypes(device, d2 as CommandId)).toEqual(["superseded"]);
    for (const id of [a, c, d1]) {
      const events = device.commands[id as CommandId]?.events ?? [];
      // Between the steps, at most a wait for the command running before it and, for C, for
      // its dependency A: each recorded once.
      const reasons = events.flatMap((event) => (event.type === "deferred" ? [event.reason] : []));
      expect(new Set(reasons).size).toBe(reasons.length);
      const allowed = id === c ? ["concurrency", "dependencies"] : ["concurrency"];
      expect(reasons.filter((reason) => !allowed.includes(reason))).toEqual([]);
      expect(events.filter((event) => event.type !== "deferred").map((e) => e.type)).toEqual([
        "accepted",
        "started",
        "succeeded",
      ]);
    }

    // Both admins see exactly what the agent recorded.
    await eventually(
      () => settled(atAlice.doc()) && settled(atBob.doc()),
      "the outcomes reaching both admins",
    );
    await eventually(
      () =>
        JSON.stringify(atAlice.heads()) === JSON.stringify(agent.device.heads()) &&
        JSON.stringify(atBob.heads()) === JSON.stringify(agent.device.heads()),
      "all three replicas at the same heads",
    );
    expect(states(atAlice.doc())).toEqual(states(agent.device.doc()));
    expect(states(atBob.doc())).toEqual(states(agent.device.doc()));
  });
});
