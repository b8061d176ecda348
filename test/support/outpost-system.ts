import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo";
import { Relay } from "@outpost/relay";
import {
  type DeviceDoc,
  type DeviceId,
  type FleetDoc,
  silentLogger,
  updatePolicy,
} from "@outpost/shared-model";
import { type AgentProcess, spawnAgent } from "../../agent/src/testing/agent-child.js";
import { adminReplica, eventually, tempFolder } from "../../agent/src/testing/agent-harness.js";
import { freePort } from "../../agent/src/testing/free-port.js";

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
  adminRepo(): ReturnType<typeof adminReplica>;
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
  const cleanups: (() => Promise<unknown>)[] = [];
  const relayData = await tempFolder("relay");
  const agentData = await tempFolder("agent");
  cleanups.push(relayData.remove, agentData.remove);
  const port = await freePort();
  const relayUrl = `http://127.0.0.1:${port}`;
  let relay: Relay | undefined;
  const startRelay = async () => {
    relay = await Relay.start({
      dataDirectory: relayData.path,
      host: "127.0.0.1",
      port,
      logger: silentLogger,
      dashboardDirectory,
    });
  };
  const stopRelay = async () => {
    await relay?.stop();
    relay = undefined;
  };
  await startRelay();
  const current = relay as unknown as Relay;
  const tokens = {
    alice: await current.principals.addAdmin("alice"),
    bob: await current.principals.addAdmin("bob"),
  };
  const secret = await current.principals.enrollmentSecret();
  const config = join(agentData.path, "agent.toml");
  await writeFile(
    config,
    `relay_url = "${relayUrl}"\nenrollment_secret = "${secret}"\ndata = "data"\nsample_interval_seconds = 1\nlog_level = "info"\n`,
  );
  let agent: AgentProcess | undefined;
  const startAgent = async () => {
    agent = spawnAgent(["run", "--config", config]);
    await agent.waitForLine(
      (line) => line.msg === "connected to the relay",
      "the agent connecting",
      60_000,
    );
  };
  const stopAgent = async () => {
    if (agent === undefined) return;
    const exited = agent.exited;
    agent.child.kill("SIGTERM");
    await exited;
    agent = undefined;
  };
  await startAgent();

  const checker = adminReplica(port, tokens.alice, cleanups);
  const session = (await (
    await fetch(`${relayUrl}/v1/session`, { headers: { authorization: `Bearer ${tokens.alice}` } })
  ).json()) as { fleetDocUrl: string };
  const fleet = await checker.find<FleetDoc>(session.fleetDocUrl as AutomergeUrl);
  await eventually(() => Object.keys(fleet.doc().devices).length > 0, "the agent enrolled", 30_000);
  const deviceId = Object.keys(fleet.doc().devices)[0] as string;
  // A test machine running Chromium, a relay and an agent is never calm for the default two
  // minutes: commands would wait for the load gate. Shell commands are allowed for the tests.
  const device = await checker.find<DeviceDoc>(
    fleet.doc().devices[deviceId as DeviceId]?.deviceDocUrl as AutomergeUrl,
  );
  device.change((doc) =>
    updatePolicy(
      doc,
      {
        load: { cpuPercent: 100, memoryPercent: 100, diskBusyPercent: 100, sustainedS: 0 },
        allowShell: true,
      },
      { by: "admin:alice", at: Date.now() },
    ),
  );

  return {
    relayUrl,
    port,
    tokens,
    relayData: relayData.path,
    agentData: agentData.path,
    deviceId,
    relay: () => relay,
    stopRelay,
    startRelay,
    agent: () => agent,
    stopAgent,
    startAgent,
    adminRepo: () => checker,
    deviceHandle: async () => device,
    async stop() {
      await stopAgent();
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
      await stopRelay();
    },
  };
}
