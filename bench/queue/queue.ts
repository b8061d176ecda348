/**
 * `npm run bench:queue -- [--commands N] [--seconds S] [--runs R] [--history-days D]
 * [--cpu-prof DIR]`: one DeviceDoc with N commands (default 10,000; seeded random priorities,
 * dependencies, dedupe pairs and states) enqueued over D days (default 180; those older than 30
 * days ended, and were archived as the agent does), put into a real agent's data folder
 * (`--history-days 0`: a backlog of N live commands drawn one a minute, nothing archived). Times `fold` of the whole queue and
 * `nextRunnable` on the Automerge document the agent reads, then runs the agent (the bundle)
 * offline with that queue and measures its CPU over S seconds (default 60) against the same agent
 * with an empty queue. Last line: one JSON object.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  AGENT_DEFAULTS,
  ArchiveRecord,
  CommandArchiver,
  DOCUMENTS_FOLDER,
  STATE_FILE,
} from "@outpost/agent";
import {
  draftPolicy,
  FoldCache,
  recordSigner,
  signPolicy,
  silentLogger,
  toPlain,
  writePolicy,
} from "@outpost/shared-model";
import { BUNDLE_FILE, buildAgentBundle } from "../../agent/scripts/build-bundle.js";
import { wholeNumberOption } from "../../scripts/cli/whole-number.js";
import { AgentProcess, INTERVAL_S, writeOfflineAgentConfig } from "./agent-child.js";
import { closedMaintenanceWindow, installScript, openAgentReplica } from "./agent-replica.js";
import {
  drawBenchQueue,
  NOOP_SCRIPT,
  signBenchCommands,
  writeBenchCommands,
} from "./bench-queue.js";
import { pinBenchRoot } from "./bench-trust.js";
import { documentFingerprint, measureIdleUsage, waitUntilQuiet } from "./idle-cpu.js";
import { timePlanner } from "./planner-timing.js";
import { statusCounts } from "./status-counts.js";
import { timeVerification } from "./verify-timing.js";

/** The issue's target for one `nextRunnable` over 10,000 commands. */
const TARGET_NEXT_RUNNABLE_MS = 50;
/** Start-up (module loading, first inventory) is not what an idle device pays. */
const WARM_UP_MS = 30_000;
/** Commands per Automerge change when filling the queue (admins enqueue in batches too). */
const COMMANDS_PER_CHANGE = 500;
const SEED = 20_240_601;

const { values } = parseArgs({
  options: {
    commands: { type: "string", default: "10000" },
    seconds: { type: "string", default: "60" },
    runs: { type: "string", default: "15" },
    "history-days": { type: "string", default: "180" },
    "cpu-prof": { type: "string" },
  },
  strict: true,
});
const commandCount = wholeNumberOption("--commands", values.commands, 1, 1_000_000);
const seconds = wholeNumberOption("--seconds", values.seconds, 10, 24 * 3600);
const runs = wholeNumberOption("--runs", values.runs, 1, 1_000);
const historyDays = wholeNumberOption("--history-days", values["history-days"], 0, 3_650);
/** Relative to where npm runs the script: the bench folder. */
const profileDirectory = values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]);
const profileFlags = profileDirectory ? ["--cpu-prof", `--cpu-prof-dir=${profileDirectory}`] : [];
const log = (line: string) => process.stdout.write(`${line}\n`);

const work = await mkdtemp(join(tmpdir(), "outpost-bench-queue-"));
const data = join(work, "agent");
let agent: AgentProcess | undefined;
try {
  const bundle = await buildAgentBundle(join(work, "agent-bundle"));
  // The bundle is minified: keep the one profiled, to read the profile's positions against.
  if (profileDirectory) {
    await mkdir(profileDirectory, { recursive: true });
    await copyFile(bundle, join(profileDirectory, BUNDLE_FILE));
  }
  const config = await writeOfflineAgentConfig(work);

  // First run: the agent creates its data folder, state and DeviceDoc. Measured as the baseline.
  agent = AgentProcess.start(bundle, config);
  await agent.waitForFile(join(data, STATE_FILE), 60_000);
  log(`empty queue: warming up ${WARM_UP_MS / 1000} s, then measuring ${seconds} s…`);
  await sleep(WARM_UP_MS);
  const emptyQueue = await measureIdleUsage(() => (agent as AgentProcess).pid, seconds);
  await agent.stop();
  log(`empty queue: ${emptyQueue.cpuPercent.toFixed(3)} % of one core`);

  // The queue, written into the stopped agent's own storage as an admin's sync would land it.
  const now = Date.now();
  const { commands, mix } = drawBenchQueue({ count: commandCount, seed: SEED, now, historyDays });
  const replica = await openAgentReplica(data);
  const agentActor = `agent:${replica.deviceId}`;
  // Pinned to a root as enrollment would, and every command signed: the agent runs nothing else.
  const { trust, signer } = await pinBenchRoot(replica, data, "http://127.0.0.1:9");
  const policy = await signPolicy(
    signer,
    replica.deviceId,
    draftPolicy(
      { maintenanceWindow: closedMaintenanceWindow(now) },
      { by: "admin:bench", at: now },
    ),
  );
  replica.device.change((doc) => {
    writePolicy(doc, policy);
    recordSigner(doc, signer.certificate);
  });
  const signingStartedAt = performance.now();
  const signed = await signBenchCommands(commands, signer, replica.deviceId);
  const signingMs = performance.now() - signingStartedAt;
  // With history, the agent has archived as it went (its real archiver, its record in the data
  // folder): after each batch, what ended more than 30 days before the batch's last command.
  const record = await ArchiveRecord.open(data);
  const folds = new FoldCache();
  let archivedWhileWriting = 0;
  for (let start = 0; start < signed.length; start += COMMANDS_PER_CHANGE) {
    const batch = signed.slice(start, start + COMMANDS_PER_CHANGE);
    replica.device.change((doc) => writeBenchCommands(doc, batch, signer, agentActor));
    const last = batch.at(-1)?.draft.spec.createdAt ?? now;
    if (historyDays === 0) continue;
    const archiver = new CommandArchiver({
      repo: replica.repo,
      device: replica.device,
      deviceId: replica.deviceId,
      record,
      now: () => last + 60_000,
      retentionDays: AGENT_DEFAULTS.archiveCommandsAfterDays,
      stateOf: folds.stateOf,
      logger: silentLogger,
    });
    archivedWhileWriting += await archiver.archive();
  }
  if (historyDays > 0) {
    log(
      `history: ${commandCount} commands over ${historyDays} days; ${archivedWhileWriting} archived as they passed ${AGENT_DEFAULTS.archiveCommandsAfterDays} days, ${commandCount - archivedWhileWriting} in the live DeviceDoc`,
    );
  }
  await installScript(data, NOOP_SCRIPT);
  log(
    `queue: ${mix.commands} commands, ${mix.withDependencies} with dependencies, ${mix.dedupePairs} dedupe pairs, ${mix.succeeded} succeeded, ${mix.failed} failed, ${mix.notBefore} not before a later day; all need the maintenance window (closed)`,
  );
  const enqueued = timePlanner(replica.device.doc(), Date.now(), runs);
  const verification = await timeVerification(replica.device.doc(), trust, {
    coldRuns: 3,
    warmRuns: runs,
  });
  // toPlain first: structuredClone would turn each ImmutableString into a `{ val }` object.
  const plainCopy = timePlanner(structuredClone(toPlain(replica.device.doc())), Date.now(), runs);
  const documentId = replica.device.documentId;
  await replica.close();
  log(
    `fold of the whole queue: ${enqueued.foldMs.toFixed(1)} ms; nextRunnable: ${enqueued.nextRunnableMs.toFixed(1)} ms from scratch, ${enqueued.nextRunnableCachedMs.toFixed(1)} ms with the agent's fold cache (${enqueued.plan.runnable} runnable, ${enqueued.plan.waiting} waiting, ${enqueued.plan.decisions} decisions) — target ${TARGET_NEXT_RUNNABLE_MS} ms`,
  );
  log(
    `  on a plain-object copy: fold ${plainCopy.foldMs.toFixed(1)} ms, nextRunnable ${plainCopy.nextRunnableMs.toFixed(1)} ms`,
  );
  const perCommandUs = (ms: number) => (ms * 1000) / Math.max(1, verification.waiting);
  log(
    `signatures: ${commands.length} commands signed in ${signingMs.toFixed(0)} ms; verifying the ${verification.waiting} waiting ones before a plan: ${verification.coldMs.toFixed(1)} ms cold (${perCommandUs(verification.coldMs).toFixed(1)} µs a command, spec and priority), ${verification.warmMs.toFixed(1)} ms with every verdict remembered (${perCommandUs(verification.warmMs).toFixed(2)} µs a command)`,
  );

  // Second run: the agent settles the queue (accepted, deferred, superseded, blocked), then idles.
  agent = AgentProcess.start(bundle, config, profileFlags);
  const fingerprint = () => documentFingerprint(join(data, DOCUMENTS_FOLDER), documentId);
  log("queue: waiting for the agent to settle it (its DeviceDoc unchanged for 25 s)…");
  const settleS = await waitUntilQuiet(fingerprint, {
    minMs: WARM_UP_MS,
    quietMs: 25_000,
    maxMs: 30 * 60_000,
    pollMs: 1_000,
    // A queue with runnable commands or pending decisions gets facts: wait for them.
    mustChange: enqueued.plan.runnable > 0 || enqueued.plan.decisions > 0,
  });
  log(`queue: settled after ${settleS.toFixed(0)} s; measuring ${seconds} s…`);
  const before = await fingerprint();
  const idle = await measureIdleUsage(() => (agent as AgentProcess).pid, seconds);
  const queueWritten = (await fingerprint()) !== before;
  await agent.stop();
  log(
    `agent with the queue: ${idle.cpuPercent.toFixed(3)} % of one core (empty queue ${emptyQueue.cpuPercent.toFixed(3)} %), peak RSS ${idle.peakRssMb.toFixed(1)} MB, final ${idle.finalRssMb.toFixed(1)} MB`,
  );
  if (queueWritten) log("warning: the agent wrote its DeviceDoc while measured; not idle");

  // What the agent recorded, and the planner on the settled queue (its steady state).
  const settledReplica = await openAgentReplica(data);
  const statuses = statusCounts(settledReplica.device.doc());
  const settled = timePlanner(settledReplica.device.doc(), Date.now(), runs);
  await settledReplica.close();
  const ran = statuses.attempts - (mix.succeeded + mix.failed);
  log(
    `settled queue: ${Object.entries(statuses.byStatus)
      .map(([status, count]) => `${count} ${status}`)
      .join(", ")}; ${ran} command(s) ran during the benchmark`,
  );
  log(
    `settled queue: fold ${settled.foldMs.toFixed(1)} ms, nextRunnable ${settled.nextRunnableMs.toFixed(1)} ms from scratch, ${settled.nextRunnableCachedMs.toFixed(1)} ms cached (${settled.plan.runnable} runnable, ${settled.plan.decisions} decisions)`,
  );

  log(
    JSON.stringify({
      commands: commandCount,
      historyDays,
      archivedBeforeStart: archivedWhileWriting,
      foldMs: round(enqueued.foldMs, 1),
      nextRunnableMs: round(enqueued.nextRunnableMs, 1),
      nextRunnableTargetMet: enqueued.nextRunnableMs < TARGET_NEXT_RUNNABLE_MS,
      nextRunnableCachedMs: round(enqueued.nextRunnableCachedMs, 1),
      plainCopyNextRunnableMs: round(plainCopy.nextRunnableMs, 1),
      signingMs: round(signingMs, 0),
      verifyColdMs: round(verification.coldMs, 1),
      verifyWarmMs: round(verification.warmMs, 1),
      verifyColdUsPerCommand: round(perCommandUs(verification.coldMs), 1),
      verifyWarmUsPerCommand: round(perCommandUs(verification.warmMs), 2),
      settledFoldMs: round(settled.foldMs, 1),
      settledNextRunnableMs: round(settled.nextRunnableMs, 1),
      settledNextRunnableCachedMs: round(settled.nextRunnableCachedMs, 1),
      settleSeconds: round(settleS, 0),
      seconds: round(idle.seconds, 0),
      intervalS: INTERVAL_S,
      idleCpuPercent: round(idle.cpuPercent, 3),
      emptyQueueCpuPercent: round(emptyQueue.cpuPercent, 3),
      agentPeakRssMb: round(idle.peakRssMb, 1),
      agentFinalRssMb: round(idle.finalRssMb, 1),
      emptyQueuePeakRssMb: round(emptyQueue.peakRssMb, 1),
      commandsRan: ran,
      queueWrittenWhileMeasured: queueWritten,
    }),
  );
} finally {
  agent?.kill();
  await rm(work, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
