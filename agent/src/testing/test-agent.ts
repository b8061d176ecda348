/**
 * The agent's own test surface, for its tests and for `@outpost/test-support`: an in-process agent
 * with test defaults (recorded system, a clock-driven collector, fast backoff) and a command
 * engine on a machine that always looks quiet.
 */
import { STANDARD_METRICS, silentLogger } from "@outpost/shared-model";
import type { Collector } from "../collectors/collector.js";
import { fixtureSystem } from "../collectors/testing/fixture-context.js";
import { ALL_KINDS } from "../commands/kinds/all.js";
import { FakeSystem } from "../commands/kinds/testing/kind-contract.js";
import { Agent, type AgentCommandOptions, type AgentOptions } from "../runtime/agent.js";

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

/**
 * Starts an agent with test defaults: fixture system, clock collector, fast backoff. Give it
 * `trust` (a fleet root and its TrustDoc, see `agentTrustFor`) to have it run what that
 * fleet's admins sign; without it, it pins the root its enrollment answer names.
 */
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
