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
  type CommandId,
  DEFAULT_POLICY,
  type DeviceDoc,
  type EnqueueInput,
  eventsOf,
  fold,
  liveCommands,
} from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { adminReplica, certifiedAdmin, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

/** The folded state of every command, as one replica sees it. */
function states(doc: DeviceDoc) {
  return Object.fromEntries(
    liveCommands(doc.commands).map(([id, command]) => [id, fold(command.spec, command.events)]),
  );
}

function eventTypes(doc: DeviceDoc, id: CommandId): string[] {
  return eventsOf(doc.commands, id).map((event) => event.type);
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
    // The fleet's root, which the agent pins at enrollment, certifies alice's and bob's signing keys.
    const root = fleet.root;
    const alice = await certifiedAdmin(root, "alice");
    const bob = await certifiedAdmin(root, "bob");
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
    await alice.editPolicy(atAlice, {
      allowShell: true,
      load: { ...DEFAULT_POLICY.load, sustainedS: 0 },
    });
    const a = await alice.enqueue(atAlice, shell("A", { priority: 4 }));
    const [b, c, d1] = await alice.enqueueAll(atAlice, [
      shell("B", { priority: 8 }),
      // Higher than A, but it must wait for A.
      shell("C", { priority: 6, dependsOn: [a] }),
      shell("D1", { priority: 2, dedupeKey: "cleanup" }),
    ]);
    const ids: Record<string, CommandId> = { a, b, c, d1 } as Record<string, CommandId>;
    await eventually(() => Object.keys(atBob.doc().commands).length === 4, "bob seeing the queue");

    // Now nobody can reach the relay.
    await relay.stop(); // closed every socket: nothing below reaches it
    // Alice, offline, enqueues the same clean-up again: the dedupe pair.
    ids.d2 = await alice.enqueue(atAlice, shell("D2", { priority: 2, dedupeKey: "cleanup" }));
    // Bob, offline, cancels B and raises D1 above everything.
    await bob.cancel(atBob, ids.b as CommandId, "not needed this week");
    await bob.reprioritize(atBob, ids.d1 as CommandId, 9);

    // Everyone reconnects: the admins first, so the relay has both offline edits; then the agent.
    relay = await fleet.startRelay();
    await eventually(
      () =>
        eventsOf(atAlice.doc().commands, ids.b as CommandId).length === 1 &&
        atBob.doc().commands[ids.d2 as CommandId] !== undefined,
      "the admins merging through the relay",
    );
    agent = await startAgent();

    const d2 = ids.d2 as CommandId;
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
      const events = eventsOf(device.commands, id as CommandId);
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
