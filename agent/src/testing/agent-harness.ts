import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AutomergeUrl, type PeerId, parseAutomergeUrl, Repo } from "@automerge/automerge-repo";
import { Relay } from "@outpost/relay";
import {
  countSamples,
  type Day,
  type Logger,
  peerIdFor,
  STANDARD_METRICS,
  silentLogger,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import type { Collector } from "../collectors/collector.js";
import { fixtureSystem } from "../collectors/testing/fixture-context.js";
import { ALL_KINDS } from "../commands/kinds/all.js";
import { FakeSystem } from "../commands/kinds/testing/kind-contract.js";
import {
  Agent,
  type AgentCommandOptions,
  type AgentOptions,
  DOCUMENTS_FOLDER,
} from "../runtime/agent.js";
import { RelayConnection } from "../sync/relay-connection.js";
import { freePort } from "./free-port.js";

/** Reconnect and enrollment backoff for tests: tens of milliseconds, not minutes. */
export const FAST_BACKOFF = { baseMs: 20, capMs: 200, outageShare: 0.25, random: () => 0.99 };

/** Recorded systeminformation output (this VM), so inventory works without the real system. */
export const FIXTURE_SYSTEM = fixtureSystem(
  new URL("../inventory/testdata", import.meta.url).pathname,
);

/**
 * A collector whose value is a pure function of the clock, so a test can tell which tick every
 * stored sample came from (CPU = minute of the day / 14.4, between 0 and 100).
 */
export const clockCollector: Collector = {
  name: "clock-cpu",
  metrics: { cpu: STANDARD_METRICS.cpu },
  defaults: { intervalS: 0 },
  create: ({ now }) => ({
    collect: async () => ({ cpu: Math.floor((now() % 86_400_000) / 60_000) / 14.4 }),
  }),
};

/**
 * The command engine of a test agent on a machine that looks quiet whatever else the test run
 * does to this one: every kind, a fake system facade, a calm load, no critical process.
 */
export function quietMachineCommands(
  scriptsFolder: string,
  now: () => number = Date.now,
): AgentCommandOptions {
  return {
    kinds: ALL_KINDS,
    system: new FakeSystem(),
    scriptsFolder,
    processNames: async () => ["systemd", "bash"],
    loadSource: () => ({
      read: async () => ({ at: now(), cpuPercent: 3, memoryPercent: 20, diskBusyPercent: 1 }),
    }),
    timeZone: "UTC",
  };
}

/** A fresh temp folder, removed by the returned function. */
export async function tempFolder(
  prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `outpost-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Starts an agent with test defaults: fixture system, clock collector, fast backoff. */
export function startTestAgent(
  options: Pick<AgentOptions, "dataDirectory" | "relayUrl"> & Partial<AgentOptions>,
): Promise<Agent> {
  return Agent.start({
    enrollmentSecret: undefined,
    sampleIntervalS: 60,
    retainDays: 2,
    diskBudgetBytes: 256 * 1024 * 1024,
    logger: silentLogger,
    collectors: [clockCollector],
    system: FIXTURE_SYSTEM,
    software: {
      dpkgStatus: new URL("../inventory/testdata/dpkg-status", import.meta.url).pathname,
    },
    backoff: FAST_BACKOFF,
    hostname: "test-laptop",
    ...options,
  });
}

/** Starts a relay on `port` with its data in `dataDirectory`. */
export function startRelayAt(dataDirectory: string, port: number, logger: Logger = silentLogger) {
  return Relay.start({ dataDirectory, host: "127.0.0.1", port, logger });
}

/**
 * Samples in each day document as a stopped relay's disk holds them (`null` where a document is
 * missing), read through a fresh read-only store as a restarted relay would.
 */
export async function samplesOnRelayDisk(
  relayDataDirectory: string,
  urls: readonly string[],
): Promise<(number | null)[]> {
  const storage = await CrashSafeFileStorageAdapter.create(join(relayDataDirectory, "documents"), {
    readOnly: true,
    logger: silentLogger,
  });
  const repo = new Repo({ storage, network: [] });
  try {
    const counts: (number | null)[] = [];
    for (const url of urls) {
      const doc = await repo
        .find<TelemetryDayDoc>(url as AutomergeUrl)
        .then((handle) => handle.doc())
        .catch(() => undefined);
      counts.push(doc ? countSamples(doc) : null);
    }
    return counts;
  } finally {
    await repo.shutdown();
  }
}

/** A relay's data folder, port and credentials, its relay stopped, and a folder for an agent. */
export interface PreparedFleet {
  relayData: string;
  agentData: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  relayUrl: string;
  enrollmentSecret: string;
  /** Token of admin `alice`. */
  adminToken: string;
  /** Starts the relay on its port and data folder; stopped by the registered clean-up. */
  startRelay(): Promise<Relay>;
}

/**
 * Prepares a fleet whose relay is down: it ran once (so an enrollment secret and an admin exist)
 * and can be started again, on the same port, when the test wants it up. Every folder and relay
 * is removed or stopped by the clean-ups it pushes onto `cleanups`.
 */
export async function prepareFleet(cleanups: (() => Promise<unknown>)[]): Promise<PreparedFleet> {
  const relayData = await tempFolder("relay");
  const agentData = await tempFolder("agent");
  cleanups.push(relayData.remove, agentData.remove);
  const port = await freePort();
  const first = await startRelayAt(relayData.path, port);
  const enrollmentSecret = await first.principals.enrollmentSecret();
  const adminToken = await first.principals.addAdmin("alice");
  await first.stop();
  return {
    relayData: relayData.path,
    agentData: agentData.path,
    port,
    relayUrl: `http://127.0.0.1:${port}`,
    enrollmentSecret,
    adminToken,
    async startRelay() {
      const relay = await startRelayAt(relayData.path, port);
      cleanups.push(() => relay.stop());
      return relay;
    },
  };
}

/**
 * Admin `name`'s replica connected to the relay on `port` with `token`, as the dashboard will
 * be (in memory; it keeps its documents while the relay is away and reconnects when it is back);
 * shut down by the clean-up it pushes onto `cleanups`.
 */
export function adminReplica(
  port: number,
  token: string,
  cleanups: (() => Promise<unknown>)[],
  name = "alice",
): Repo {
  const connection = new RelayConnection(`ws://127.0.0.1:${port}/sync?token=${token}`, {
    logger: silentLogger,
    backoff: FAST_BACKOFF,
  });
  const admin = new Repo({
    network: [connection],
    peerId: peerIdFor({ kind: "admin", name }, "dashboard") as PeerId,
  });
  cleanups.push(() => admin.shutdown());
  return admin;
}

/** True when the agent's store in `agentDataDirectory` holds any chunk of the document. */
export async function documentOnDisk(agentDataDirectory: string, url: string): Promise<boolean> {
  const storage = await CrashSafeFileStorageAdapter.create(
    join(agentDataDirectory, DOCUMENTS_FOLDER),
    { readOnly: true, logger: silentLogger },
  );
  const { documentId } = parseAutomergeUrl(url as AutomergeUrl);
  return (await storage.loadRange([documentId])).length > 0;
}

/** Resolves once the relay has durably acknowledged the final heads of every one of `days`. */
export function untilAcknowledged(
  agent: Agent,
  days: readonly Day[],
  timeoutMs = 60_000,
): Promise<void> {
  return eventually(
    () => days.every((day) => agent.days.isAcknowledged(day)),
    `durable acknowledgements of ${days.join(", ")}`,
    timeoutMs,
  );
}

/** Polls `condition` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
