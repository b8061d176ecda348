import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { RelayLimits } from "@outpost/relay";
import type { AgentPlan } from "./agent-plan.js";
import { AgentPool } from "./agent-pool.js";
import { guarded } from "./child-channel.js";
import { CompletionTracker } from "./completion.js";
import { enrollAgents } from "./enroll.js";
import type { ServerKind, ServerStats, SteadyStats } from "./messages.js";
import { ServerChild } from "./server-child.js";
import { StallWatch } from "./stall-watch.js";
import { lastErrorInLog, StormFailed } from "./storm-failure.js";
import { verifyStored } from "./verify.js";

/** What one storm against one server measured. */
export interface StormFigures {
  /**
   * Seconds from the connect signal until the last document was done: for our relay, until
   * every agent held a durable ack covering its documents' heads (`null` if some never came);
   * for the reference, which sends no acks, until its storage had written every document.
   */
  seconds: number | null;
  /** The same storage criterion for every server: until its storage wrote every document. */
  storedSeconds: number;
  /** Ours: documents whose durable ack never came. */
  missingAcks: number;
  server: ServerStats;
  /** Size of the server's log (stderr) written during the whole run. */
  serverLogBytes: number;
  agentCpuSeconds: number;
  connectionErrors: number;
  /** Documents the checker found on disk after the server was killed and restarted. */
  verifiedDocuments: number;
  /** Ours, when asked for: the steady state after the storm. */
  steady?: SteadyFigures;
  /** Why the steady state asked for gave no figures. */
  steadyError?: string;
}

/** The steady state: every agent connected, sampling and beating (see steady-traffic.ts). */
export interface SteadyFigures {
  /** Measured seconds (after the warm-up). */
  seconds: number;
  /** Relay CPU (user + system) over the measured seconds, in % of one core. */
  relayCpuPercent: number;
  /** Relay RSS at the end, and its peak over the measured seconds. */
  relayRssBytes: number;
  relayPeakRssBytes: number;
  /** Agent processes' CPU over the measured seconds, in % of one core (all together). */
  agentCpuPercent: number;
  /** Counts since the steady state started (warm-up included). */
  traffic: SteadyStats;
}

/** How the steady state runs, when asked for. */
export interface SteadyOptions {
  /** Measured minutes, after a warm-up of one sample interval and one heartbeat interval. */
  minutes: number;
  sampleIntervalMs: number;
  heartbeatIntervalMs: number;
}

/** How to run one storm. */
export interface StormOptions {
  /** Ours only: limits that differ from the relay's defaults. */
  relayLimits: Partial<RelayLimits>;
  agentProcesses: number;
  timeoutMs: number;
  /** Agents whose documents the checker verifies after the run. */
  verifyAgents: number;
  /** Ours only: a steady state after the storm. */
  steady?: SteadyOptions;
  /** Agents connecting per second (all processes together); all at once when absent. */
  connectsPerSecond?: number;
  log: (line: string) => void;
}

/**
 * Data folders and logs of storms under way, for an interrupted benchmark to remove (a storm of
 * a thousand agents leaves gigabytes); the child processes end by themselves with their parent.
 */
export const leftovers = new Set<string>();

// Acks follow the relay's flush within its 100 ms quiet time plus a write; once storage has
// written everything, this long without a new ack means the missing ones are lost.
const ACK_SILENCE_MS = 10_000;
// A storm with no document done and an idle server for this long will not finish.
const STALL_WINDOW_MS = 60_000;

/**
 * One storm: a fresh `kind` server in its own process on a fresh data folder, the agents of
 * `plan` prepared (and enrolled with our relay), then all connected at once and timed until the
 * server has stored every document. The server is then killed and restarted on its folder for
 * the checker. Everything is cleaned up, also on failure (the server log is kept then).
 *
 * @throws StormFailed when the server or an agent process dies, or the storm times out.
 */
export async function runStorm(
  kind: ServerKind,
  plan: AgentPlan,
  options: StormOptions,
): Promise<StormFigures> {
  const { log } = options;
  const dataDirectory = await mkdtemp(join(tmpdir(), `outpost-relay-storm-${kind}-`));
  const logPath = `${dataDirectory}.log`;
  leftovers.add(dataDirectory);
  leftovers.add(logPath);
  let server: ServerChild | undefined;
  let pool: AgentPool | undefined;
  let succeeded = false;
  try {
    server = await ServerChild.start(kind, dataDirectory, logPath, options.relayLimits);
    log(`${kind}: listening at ${server.address.url} (pid ${server.pid}); preparing agents`);
    pool = await AgentPool.prepare(plan, options.agentProcesses);
    const { enrollmentSecret } = server.address;
    const tokens =
      enrollmentSecret === undefined
        ? undefined
        : await enrollAgents(server.address.url, enrollmentSecret, plan.agents);
    if (tokens) log(`${kind}: ${tokens.size} agents enrolled`);

    const timed = await timeStorm(kind, server, pool, tokens, options);
    const serverStats = await server.stats();
    const agentStats = await pool.stats();
    // Said now, not only in the result: a steady state that fails must not take these with it.
    log(describeStormSoFar(kind, timed, serverStats, agentStats.cpuSeconds));
    let steady: SteadyFigures | undefined;
    let steadyError: string | undefined;
    if (kind === "outpost" && options.steady !== undefined) {
      // A steady state that breaks (the relay too busy to answer the bench's stats, say) is
      // reported beside the storm's figures, which stand on their own.
      try {
        steady = await runSteady(server, pool, options.steady, log);
      } catch (error) {
        steadyError = error instanceof Error ? error.message : String(error);
        log(`${kind}: the steady state failed: ${steadyError}`);
      }
    }
    await pool.stop();

    const sample = sampleDocuments(plan, pool.documents, options.verifyAgents);
    await server.kill();
    server = await ServerChild.start(kind, dataDirectory, logPath, options.relayLimits);
    await verifyStored(server.address, sample);
    log(`${kind}: after kill and restart, the checker found all ${sample.size} sampled documents`);
    succeeded = true;
    return {
      ...timed,
      server: serverStats,
      serverLogBytes: (await stat(logPath)).size,
      agentCpuSeconds: agentStats.cpuSeconds,
      connectionErrors: agentStats.connectionErrors,
      verifiedDocuments: sample.size,
      ...(steady === undefined ? {} : { steady }),
      ...(steadyError === undefined ? {} : { steadyError }),
    };
  } catch (error) {
    throw new StormFailed(kind, error, await lastErrorInLog(logPath));
  } finally {
    await pool?.stop();
    await server?.kill();
    await rm(dataDirectory, { recursive: true, force: true });
    leftovers.delete(dataDirectory);
    // RELAY_STORM_KEEP_LOGS=1 keeps every server's log, e.g. to see what the relay said.
    if (succeeded && !process.env.RELAY_STORM_KEEP_LOGS) await rm(logPath, { force: true });
    else log(`${kind}: the server's log is kept at ${logPath}`);
    leftovers.delete(logPath);
  }
}

/**
 * The timed part: every agent connects at once; done when the server's storage has written
 * every document and, for our relay, when the acks are in (or have stopped coming).
 *
 * Completion is judged by the storage of every server alike: a hook in each server process
 * reports every document state automerge-repo's StorageSubsystem finished writing (see
 * server-instrumentation.ts), and a document counts once a state including the agent's heads is
 * written. Polling the data folder would need Automerge loads in the main process, and a checker
 * asking over the network during the storm would add load to the server being measured; the
 * checker runs after the storm instead, to prove the reports true. Our relay's durable acks are
 * timed as well: they are what an agent waits for.
 */
async function timeStorm(
  kind: ServerKind,
  server: ServerChild,
  pool: AgentPool,
  tokens: ReadonlyMap<string, string> | undefined,
  options: StormOptions,
): Promise<Pick<StormFigures, "seconds" | "storedSeconds" | "missingAcks">> {
  const stored = new CompletionTracker(pool.documents);
  server.onStored((documentId, heads) => stored.record(documentId, heads));
  const acked = kind === "outpost" ? new CompletionTracker(pool.documents) : undefined;
  pool.onAcknowledged((documentId) => acked?.record(documentId));
  const done = () => stored.total - stored.remaining + (acked ? acked.total - acked.remaining : 0);
  await server.mark();

  const ramp =
    options.connectsPerSecond === undefined ? "" : `, ${options.connectsPerSecond} a second`;
  options.log(`${kind}: ${pool.documents.size / 2} agents connect now${ramp}`);
  const startedAt = performance.now();
  pool.connect(server.address, tokens, options.connectsPerSecond);
  const progress = setInterval(() => {
    const ackLine = acked ? `, ${acked.total - acked.remaining} acknowledged` : "";
    options.log(`${kind}: ${stored.total - stored.remaining}/${stored.total} stored${ackLine}`);
  }, 5_000);
  const stall = new StallWatch(server.pid, done, {
    windowMs: STALL_WINDOW_MS,
    idleCpuShare: 0.1,
  });
  try {
    const storedAt = await guarded(
      [server, ...pool.processes],
      Promise.race([stored.done, stall.stalled]),
      options.timeoutMs,
      () => `waiting for ${kind} to store ${stored.total} documents (${stored.remaining} left)`,
    );
    const ackedAt = acked ? await lastAck(acked) : storedAt;
    return {
      seconds: ackedAt === undefined ? null : (ackedAt - startedAt) / 1000,
      storedSeconds: (storedAt - startedAt) / 1000,
      missingAcks: acked?.remaining ?? 0,
    };
  } finally {
    clearInterval(progress);
    stall.stop();
  }
}

/**
 * The steady state after the storm: every agent stays connected, writes a sample every interval
 * and beats; after a warm-up (every agent has sampled and beaten once) the relay's CPU and memory
 * are measured for `minutes`.
 */
async function runSteady(
  server: ServerChild,
  pool: AgentPool,
  options: SteadyOptions,
  log: (line: string) => void,
): Promise<SteadyFigures> {
  const agents = pool.documents.size / 2;
  log(
    `steady state: ${agents} agents sample every ${options.sampleIntervalMs / 1000} s and beat every ${options.heartbeatIntervalMs / 1000} s; warming up`,
  );
  pool.steady({
    sampleIntervalMs: options.sampleIntervalMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
  });
  const guard = (what: Promise<unknown>, ms: number) =>
    guarded([server, ...pool.processes], what, ms + 60_000, "the steady state");
  const warmUpMs = options.sampleIntervalMs + options.heartbeatIntervalMs;
  await guard(sleep(warmUpMs), warmUpMs);
  await server.mark();
  const agentsBefore = await pool.stats();
  const startedAt = performance.now();
  const measureMs = options.minutes * 60_000;
  const progress = setInterval(async () => {
    const { steady } = await pool.stats();
    if (steady === undefined) return;
    log(
      `steady state: ${steady.samples} samples, ${steady.acknowledged} acks, ${steady.unacknowledged} days waiting for one; ack lag p95 ${steady.ackLagMs?.p95.toFixed(0)} ms`,
    );
  }, 30_000);
  try {
    await guard(sleep(measureMs), measureMs);
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const serverStats = await server.stats();
  const agentsAfter = await pool.stats();
  if (agentsAfter.steady === undefined) throw new Error("the agents reported no steady state");
  return {
    seconds,
    relayCpuPercent: (100 * serverStats.cpuSeconds) / seconds,
    relayRssBytes: serverStats.rssBytes,
    relayPeakRssBytes: serverStats.peakRssBytes,
    agentCpuPercent: (100 * (agentsAfter.cpuSeconds - agentsBefore.cpuSeconds)) / seconds,
    traffic: agentsAfter.steady,
  };
}

/** When the last ack came, or `undefined` if acks stopped coming with some still missing. */
async function lastAck(acked: CompletionTracker): Promise<number | undefined> {
  let silentSince = performance.now();
  let seen = acked.total - acked.remaining;
  while (performance.now() - silentSince < ACK_SILENCE_MS) {
    const doneAt = await Promise.race([acked.done, sleep(250).then(() => undefined)]);
    if (doneAt !== undefined) return doneAt;
    if (acked.total - acked.remaining !== seen) {
      seen = acked.total - acked.remaining;
      silentSince = performance.now();
    }
  }
  return undefined;
}

/** The documents of `count` agents spread over the plan (first, last and evenly between). */
function sampleDocuments(
  plan: AgentPlan,
  documents: ReadonlyMap<string, readonly string[]>,
  count: number,
): Map<string, readonly string[]> {
  const sample = new Map<string, readonly string[]>();
  const agents = plan.agents.length;
  const picks = Math.min(count, agents);
  for (let pick = 0; pick < picks; pick += 1) {
    const agent = plan.agents[Math.round((pick * (agents - 1)) / Math.max(1, picks - 1))];
    for (const documentId of [agent?.deviceDocumentId, agent?.dayDocumentId]) {
      const heads = documentId === undefined ? undefined : documents.get(documentId);
      if (documentId !== undefined && heads !== undefined) sample.set(documentId, heads);
    }
  }
  return sample;
}

/** One line of the storm's figures, before a steady state (and the restart check) follow. */
function describeStormSoFar(
  kind: ServerKind,
  timed: Pick<StormFigures, "seconds" | "storedSeconds" | "missingAcks">,
  server: ServerStats,
  agentCpuSeconds: number,
): string {
  const done =
    timed.seconds === null
      ? `${timed.missingAcks} documents without a durable ack`
      : `every ack in at ${timed.seconds.toFixed(1)} s`;
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return `${kind}: storm over: ${done}, stored at ${timed.storedSeconds.toFixed(1)} s; server peak RSS ${megabytes(server.peakRssBytes)} MB, CPU ${server.cpuSeconds.toFixed(1)} s; agents CPU ${agentCpuSeconds.toFixed(1)} s`;
}
