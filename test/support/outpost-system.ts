import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import type { AgentProcess } from "@outpost/agent/testing";
import type { Relay } from "@outpost/relay";
import type { DeviceDoc, DeviceId, FleetDoc } from "@outpost/shared-model";
import { deviceDocUrlOf } from "@outpost/shared-model";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { certifiedAdmin } from "./admin-signing.js";
import { AgentCli } from "./agent-cli.js";
import { startFleet } from "./fleet.js";

/** A relay serving the dashboard, with admins alice and bob, and one real agent enrolled. */
export interface OutpostSystem {
  relayUrl: string;
  port: number;
  tokens: { alice: string; bob: string };
  relayData: string;
  agentData: string;
  /** The agent's device ID, once it enrolled. */
  deviceId: string;
  relay(): Relay | undefined;
  stopRelay(): Promise<void>;
  startRelay(): Promise<void>;
  agent(): AgentProcess | undefined;
  stopAgent(): Promise<void>;
  startAgent(): Promise<void>;
  /** A Node admin replica on the relay, to check what the browser shows against the documents. */
  adminRepo(): Repo;
  /** The agent's DeviceDoc, through {@link adminRepo}. */
  deviceHandle(): Promise<DocHandle<DeviceDoc>>;
  stop(): Promise<void>;
}

/**
 * Starts the whole system on loopback: the relay (in this process, on an ephemeral port,
 * serving `dashboardDirectory`), two admins, and the agent CLI (real collectors, 1 s samples),
 * and waits until the agent's device is in the fleet.
 */
export async function startOutpostSystem(dashboardDirectory: string): Promise<OutpostSystem> {
  const cleanup = new Cleanup();
  // Browser tests about the dashboard, not about approving keys: the admins' keys are certified as
  // their browsers register them (the Keys page has its own test).
  const fleet = await startFleet(cleanup, {
    admins: ["alice", "bob"],
    dashboardDirectory,
    approveKeysOf: ["alice", "bob"],
  });
  const agent = await AgentCli.create(cleanup, {
    name: "system",
    relayUrl: fleet.relayUrl,
    enrollmentSecret: fleet.enrollmentSecret,
    sampleIntervalS: 1,
    logLevel: "info",
  });
  await agent.startConnected();

  const checker = fleet.adminReplica("alice");
  const session = (await (
    await fetch(`${fleet.relayUrl}/v1/session`, {
      headers: { authorization: `Bearer ${fleet.adminToken}` },
    })
  ).json()) as { fleetDocUrl: string };
  const fleetDoc = await checker.find<FleetDoc>(session.fleetDocUrl as AutomergeUrl);
  await eventually(
    () => Object.keys(fleetDoc.doc().devices).length > 0,
    "the agent enrolled",
    30_000,
  );
  const deviceId = Object.keys(fleetDoc.doc().devices)[0] as string;
  // A test machine running Chromium, a relay and an agent is never calm for the default two
  // minutes: commands would wait for the load gate. Shell commands are allowed for the tests.
  const device = await checker.find<DeviceDoc>(
    deviceDocUrlOf(fleetDoc.doc(), deviceId as DeviceId) as AutomergeUrl,
  );
  // Signed by alice's key, which the fleet's root certified: the agent applies nothing else.
  const alice = await certifiedAdmin(fleet.root, "alice");
  await alice.editPolicy(device, {
    load: { cpuPercent: 100, memoryPercent: 100, diskBusyPercent: 100, sustainedS: 0 },
    allowShell: true,
  });

  return {
    relayUrl: fleet.relayUrl,
    port: fleet.port,
    tokens: { alice: fleet.adminTokens.alice as string, bob: fleet.adminTokens.bob as string },
    relayData: fleet.relayData,
    agentData: agent.folder,
    deviceId,
    relay: fleet.relay,
    stopRelay: fleet.stopRelay,
    startRelay: async () => {
      await fleet.startRelay();
    },
    agent: () => agent.process,
    stopAgent: () => agent.stop(),
    startAgent: async () => {
      await agent.startConnected();
    },
    adminRepo: () => checker,
    deviceHandle: async () => device,
    stop: () => cleanup.release({ ignoreFailures: true }),
  };
}
