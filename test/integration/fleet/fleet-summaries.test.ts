/**
 * Summary convergence (ARCHITECTURE.md, "Fleet summaries"): a real relay on loopback, two real
 * agents and two admins' replicas (node-side, as the dashboard's). The devices' documents change
 * online and offline, admins edit and enqueue online and offline, everyone reconnects; once every
 * replica has synced, every shard entry is exactly `summarizeDevice` of the synced DeviceDoc, so
 * the fleet view (which shows a shard's entry, or the DeviceDoc itself when loaded) never shows a
 * summary that disagrees with the device's own document.
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import type { Agent } from "@outpost/agent";
import { quietMachineCommands } from "@outpost/agent/testing";
import {
  DEFAULT_POLICY,
  type DeviceDoc,
  type DeviceSummary,
  type FleetDoc,
  type FleetSummaryDoc,
  type FleetSummaryIndex,
  fold,
  liveCommand,
  shardOf,
  summarizeDevice,
  summaryIndexOf,
  toPlain,
  updateAsset,
} from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { adminReplica, certifiedAdmin, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

/** A summary without the heads it came from: what the fleet view shows. */
function shown(summary: DeviceSummary | undefined): Omit<DeviceSummary, "heads"> | undefined {
  if (summary === undefined) return undefined;
  const { heads: _heads, ...fields } = summary;
  return fields;
}

/** The admin's copy of every shard entry, by device. */
async function shardEntries(admin: Repo, fleetDocUrl: string) {
  const fleet = await admin.find<FleetDoc>(fleetDocUrl as AutomergeUrl);
  await eventually(() => fleet.doc().summaries !== undefined, "the FleetDoc listing its shards");
  const index = summaryIndexOf(fleet.doc()) as FleetSummaryIndex;
  const shards = await Promise.all(
    index.shards.map((url) => admin.find<FleetSummaryDoc>(url as AutomergeUrl)),
  );
  return (deviceId: string) => {
    const entry = shards[shardOf(deviceId, index.shardCount)]?.doc().devices[deviceId as never];
    return entry === undefined ? undefined : toPlain<DeviceSummary>(entry);
  };
}

describe("fleet summaries through a real relay", () => {
  it("after sync, every shard entry is the summary of the synced DeviceDoc, online and offline", {
    timeout: 120_000,
  }, async () => {
    const fleet = await startFleet(cleanup, { admins: ["alice", "bob"] });
    let relay = fleet.relay();
    if (relay === undefined) throw new Error("the fleet's relay is not running");
    const alice = await certifiedAdmin(fleet.root, "alice");
    const bob = await certifiedAdmin(fleet.root, "bob");
    const agentFolders = [await cleanup.tempFolder("agent-1"), await cleanup.tempFolder("agent-2")];
    const startAgent = (dataDirectory: string) =>
      fleet.startAgent({
        dataDirectory,
        sampleIntervalS: 1,
        commands: quietMachineCommands(join(dataDirectory, "scripts")),
      });
    const agents: Agent[] = [];
    for (const folder of agentFolders) agents.push(await startAgent(folder));
    for (const agent of agents) await eventually(() => agent.link.isOnline(), "agents online");
    const aliceRepo = adminReplica(fleet.port, fleet.adminToken, cleanup, "alice");
    const bobRepo = adminReplica(fleet.port, fleet.adminTokens.bob as string, cleanup, "bob");
    const atAlice: DocHandle<DeviceDoc>[] = [];
    const atBob: DocHandle<DeviceDoc>[] = [];
    for (const agent of agents) {
      atAlice.push(await aliceRepo.find<DeviceDoc>(agent.device.url));
      atBob.push(await bobRepo.find<DeviceDoc>(agent.device.url));
    }
    const [first, second] = [0, 1].map((index) => ({
      agent: agents[index] as Agent,
      alice: atAlice[index] as DocHandle<DeviceDoc>,
      bob: atBob[index] as DocHandle<DeviceDoc>,
    })) as [
      { agent: Agent; alice: DocHandle<DeviceDoc>; bob: DocHandle<DeviceDoc> },
      { agent: Agent; alice: DocHandle<DeviceDoc>; bob: DocHandle<DeviceDoc> },
    ];

    /** Waits until every replica has every device's document, then checks every shard entry. */
    const expectConverged = async (what: string) => {
      for (const { agent, alice: a, bob: b } of [first, second]) {
        await eventually(
          () =>
            JSON.stringify(a.heads()) === JSON.stringify(agent.device.heads()) &&
            JSON.stringify(b.heads()) === JSON.stringify(agent.device.heads()),
          `${what}: every replica of ${agent.deviceId} at the same heads`,
          60_000,
        );
      }
      await (fleet.relay() as NonNullable<ReturnType<typeof fleet.relay>>).summariesSettled();
      const entryOf = await shardEntries(aliceRepo, relay?.fleetDocUrl as string);
      for (const { agent } of [first, second]) {
        await eventually(
          () =>
            isDeepStrictEqual(
              shown(entryOf(agent.deviceId)),
              shown(summarizeDevice(agent.device.doc())),
            ),
          `${what}: the shard entry of ${agent.deviceId} matching its DeviceDoc`,
        );
        expect(shown(entryOf(agent.deviceId))).toEqual(shown(summarizeDevice(agent.device.doc())));
      }
    };

    // Online: both devices' inventory and telemetry index; alice enqueues a command that fails.
    for (const { alice: handle } of [first, second]) {
      await alice.editPolicy(handle, {
        allowShell: true,
        load: { ...DEFAULT_POLICY.load, sustainedS: 0 },
      });
    }
    const failing = await alice.enqueue(first.alice, {
      kind: "shell.run",
      args: { command: "exit 3" },
      retry: { maxAttempts: 1 },
    });
    await eventually(
      () => {
        const command = liveCommand(first.agent.device.doc().commands, failing);
        return command !== undefined && fold(command.spec, command.events).status === "failed";
      },
      "the first agent running the failing command",
      30_000,
    );
    await expectConverged("online");
    expect(shown(summarizeDevice(first.agent.device.doc()))).toMatchObject({ failedCommands: 1 });

    // Offline everywhere: the relay is down. Alice reassigns the first device, bob moves the
    // second and enqueues on it; the agents go on sampling.
    await fleet.stopRelay();
    first.alice.change((doc) => updateAsset(doc, { assignee: "Alice Martin" }, alice.actor()));
    second.bob.change((doc) => updateAsset(doc, { location: "Berlin" }, bob.actor()));
    const queued = await bob.enqueue(second.bob, { kind: "shell.run", args: { command: "true" } });
    // Both offline admins' views count it from their own DeviceDoc at once.
    expect(summarizeDevice(second.bob.doc()).pendingCommands).toBe(1);

    // Back: the relay summarizes what everyone sends; the second agent runs bob's command.
    relay = await fleet.startRelay();
    await eventually(
      () => {
        const command = liveCommand(second.agent.device.doc().commands, queued);
        return command !== undefined && fold(command.spec, command.events).status === "succeeded";
      },
      "the second agent running bob's command",
      60_000,
    );
    await expectConverged("after the offline edits");
    const entryOf = await shardEntries(bobRepo, relay.fleetDocUrl);
    expect(entryOf(first.agent.deviceId)).toMatchObject({ assignee: "Alice Martin" });
    expect(entryOf(second.agent.deviceId)).toMatchObject({
      location: "Berlin",
      pendingCommands: 0,
    });
  });
});
