/**
 * Benchmark: a storm of agents reconnecting to a fresh relay at once.
 *
 * N simulated agents (default 200), each holding one day of telemetry (a TelemetryDayDoc of
 * 8,640 ticks x 8 metrics) and its DeviceDoc, connect at the same moment and sync. Timed: until
 * the server has stored every document's heads. The same load then runs against the reference
 * `@automerge/automerge-repo-sync-server`, and the ratio tells what our relay's authentication,
 * access control, crash-safe storage and durable acks cost. Target: ratio at most 1.1.
 *
 * The reference package is pinned to automerge-repo 1.x and Automerge 2, which are several times
 * slower and heavier than the versions our relay runs on (at 200 agents it runs out of memory).
 * So a third storm runs a baseline: the reference's design on our versions and storage
 * (start-baseline.ts); the ratio to it isolates what the relay itself adds.
 *
 * Processes: the main process only orchestrates and times; each server runs in a child process
 * of its own (so its peak RSS and CPU are its alone, and it gets a core), and the agents run in
 * one to four further processes. See storm-run.ts for the completion criteria.
 *
 * Run with `npm run bench:relay-storm -- --agents N`; the last line of stdout is the result as
 * JSON.
 */
import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { PRESENCE_INTERVAL_MS } from "@outpost/shared-model";
import { type AgentPlan, planAgents } from "./agent-plan.js";
import type { ServerKind } from "./messages.js";
import {
  InvalidArgument,
  parseRelayStormArgs,
  SERVER_KINDS,
  UnknownOption,
  USAGE,
} from "./options.js";
import { describeOutcome, type RelayStormResult, type StormOutcome, summarize } from "./result.js";
import { leftovers, runStorm, type StormFigures } from "./storm-run.js";

export type { RelayStormResult } from "./result.js";

/** How to run the benchmark; the defaults are the load. */
export interface RelayStormOptions {
  agents?: number;
  /** Sample ticks in each day document; 8,640 is one day at 10 s. */
  ticks?: number;
  /** Distinct day documents written; agents get copies (see agent-plan.ts). */
  templates?: number;
  /** Agent processes; by default one per 250 agents, at most four. */
  agentProcesses?: number;
  /** Longest wait for one server to store everything. */
  timeoutS?: number;
  /** Agents whose documents the checker verifies after each storm. */
  verifyAgents?: number;
  /**
   * Our relay's open sockets per token; its default (8) unless given. The stock websocket
   * client leaves a socket open at every retry, so a slow storm can exhaust it (see README).
   */
  maxConnectionsPerToken?: number;
  /** Our relay's documents in memory; its default unless given. */
  maxLoadedDocuments?: number;
  /** Our relay's Automerge ops in memory; its default unless given. */
  maxLoadedOps?: number;
  /**
   * Minutes of steady state measured after our relay's storm: every agent stays connected and
   * sends a sample every 10 s and a heartbeat every 15 s, as the real agent does. None unless given.
   */
  steadyMinutes?: number;
  /** The steady state's intervals; the real agent's (10 s, 15 s) unless given (tests shorten them). */
  steadyIntervals?: { sampleIntervalMs: number; heartbeatIntervalMs: number };
  /**
   * Agents connecting per second, over all agent processes; all at once unless given. At 10,000
   * at once the agent processes cannot send their joins within the relay's 10 s, and the
   * stock client's abandoned sockets exhaust the loopback's ephemeral ports (README).
   */
  connectsPerSecond?: number;
  /** Which servers to storm; all three by default. One not run reports an `error` saying so. */
  servers?: readonly ServerKind[];
  seed?: number;
  /** Progress lines for a human; silent by default. */
  log?: (line: string) => void;
}

/**
 * Runs the three storms (ours, the reference, the baseline) and returns the figures. A storm
 * that fails (a server crash, a stall, a timeout) leaves its figures `null` and its message in
 * `error`, `referenceError` or `baselineError`.
 */
export async function runRelayStorm(options: RelayStormOptions = {}): Promise<RelayStormResult> {
  const {
    agents = 200,
    ticks = 8_640,
    templates = 3,
    agentProcesses = Math.min(4, Math.ceil(agents / 250)),
    timeoutS = 1_800,
    verifyAgents = 10,
    maxConnectionsPerToken,
    maxLoadedDocuments,
    maxLoadedOps,
    steadyMinutes,
    connectsPerSecond,
    steadyIntervals = { sampleIntervalMs: 10_000, heartbeatIntervalMs: PRESENCE_INTERVAL_MS },
    servers = SERVER_KINDS,
    seed = 20261121,
    log = () => {},
  } = options;
  const preparing = performance.now();
  log(`writing ${Math.min(templates, agents)} template day documents of ${ticks} ticks`);
  const plan: AgentPlan = planAgents({ agents, ticks, templates, seed });
  const preparationSeconds = (performance.now() - preparing) / 1000;
  const stormOptions = {
    agentProcesses,
    timeoutMs: timeoutS * 1000,
    verifyAgents,
    relayLimits: { maxConnectionsPerToken, maxLoadedDocuments, maxLoadedOps },
    ...(connectsPerSecond === undefined ? {} : { connectsPerSecond }),
    ...(steadyMinutes === undefined
      ? {}
      : {
          steady: { minutes: steadyMinutes, ...steadyIntervals },
        }),
    log,
  };
  const storm = async (kind: ServerKind, label: string): Promise<StormOutcome> => {
    if (!servers.includes(kind)) return { error: "not run (--servers)" };
    const outcome = await outcomeOf(runStorm(kind, plan, stormOptions));
    for (const line of describeOutcome(label, outcome)) log(line);
    return outcome;
  };
  const ours = await storm("outpost", "outpost relay");
  const reference = await storm("reference", "reference sync server");
  const baseline = await storm("baseline", "baseline (reference design, current versions)");
  return summarize(
    {
      agents,
      ticks,
      agentProcesses: Math.min(agentProcesses, agents),
      templates: plan.templates.length,
      preparationSeconds,
    },
    { ours, reference, baseline },
  );
}

/** A failed storm is reported, not thrown: the other server's figures still count. */
async function outcomeOf(storm: Promise<StormFigures>): Promise<StormOutcome> {
  try {
    return { figures: await storm };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

// Runs only as `tsx relay-storm/relay-storm.ts`, not when the smoke test imports the module.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // biome-ignore lint/suspicious/noConsole: benchmark output
  const print = (line: string) => console.log(line);
  let args: ReturnType<typeof parseRelayStormArgs>;
  try {
    args = parseRelayStormArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof InvalidArgument || error instanceof UnknownOption)) throw error;
    process.stderr.write(`relay-storm: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const path of leftovers) rmSync(path, { recursive: true, force: true });
      process.exit(130);
    });
  }
  print(
    `relay-storm: ${args.agents} agents connect at once; to ${(args.servers ?? SERVER_KINDS).join(", ")}`,
  );
  const result = await runRelayStorm({ ...args, log: print });
  print(
    `ratio to the reference ${result.ratio} (target <= 1.1; like for like, storage wrote everything: ${result.storedRatio}); to the baseline ${result.baselineRatio} (like for like: ${result.baselineStoredRatio})`,
  );
  print(JSON.stringify(result));
  // Our relay failing is a failed benchmark; the reference failing is a finding about it.
  if (result.error !== undefined) process.exitCode = 1;
}
