/**
 * `npm run bench:agent-footprint -- [--minutes M]` (default 3): the real agent as installed (the
 * bundle from `npm run build -w agent`), real collectors, a 10 s interval, synced to a real relay
 * on loopback, next to collectd reading cpu, memory, df,
 * interface and load at the same interval. Prints the agent's and collectd's CPU (children
 * included) and the agent's peak and final RSS, then the agent's bytes on disk per metric sample
 * after one simulated day. Last line: one JSON object.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeAgentConfig } from "@outpost/agent";
import { Relay, recordRootKey } from "@outpost/relay";
import { generateRootKey, silentLogger } from "@outpost/shared-model";
import { AGENT_NODE_FLAGS, buildAgentBundle } from "../../agent/scripts/build-bundle.js";
import { ensureCollectd, startCollectd } from "./collectd.js";
import { cpuSecondsOf, rssOf } from "./proc-usage.js";
import { measureSimulatedDay } from "./simulated-day.js";

const INTERVAL_S = 10;
/** Start-up (module loading, first inventory, enrollment) is not what an idle device pays. */
const WARM_UP_MS = 30_000;

const { values } = parseArgs({
  options: { minutes: { type: "string", default: "3" } },
  strict: true,
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 24 * 60)) {
  process.stderr.write(
    `--minutes: expected a number of minutes above 0, received ${values.minutes}\n`,
  );
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${line}\n`);

const work = await mkdtemp(join(tmpdir(), "outpost-agent-footprint-"));
const children: ChildProcess[] = [];
let relay: Relay | undefined;
try {
  // As `outpost-relay root init` does: agents enroll only with a fleet that has a root key.
  await recordRootKey(join(work, "relay"), (await generateRootKey()).publicKey);
  relay = await Relay.start({
    dataDirectory: join(work, "relay"),
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
  });
  const config = join(work, "agent.toml");
  await writeAgentConfig(config, {
    relay_url: relay.url,
    enrollment_secret: await relay.principals.enrollmentSecret(),
    data: "agent",
    sample_interval_seconds: INTERVAL_S,
    log_level: "warn",
  });
  // The agent as it is installed: the bundle, run by node with the agent's V8 flags.
  const bundle = await buildAgentBundle(join(work, "agent-bundle"));
  const agent = spawn(process.execPath, [...AGENT_NODE_FLAGS, bundle, "run", "--config", config], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(agent);
  const collectdProblem = ensureCollectd(log);
  const collectd = collectdProblem
    ? undefined
    : await startCollectd(join(work, "collectd"), INTERVAL_S);
  if (collectd) children.push(collectd);
  if (collectdProblem) log(`collectd: not run (${collectdProblem})`);

  log(`warming up for ${WARM_UP_MS / 1000} s, then measuring for ${minutes} min…`);
  await sleep(WARM_UP_MS);
  const agentPid = pidOf(agent);
  const agentCpu0 = await cpuSecondsOf(agentPid);
  const collectdCpu0 = collectd ? await cpuSecondsOf(pidOf(collectd)) : 0;
  const startedAt = performance.now();
  let peakRssMb = 0;
  const deadline = startedAt + minutes * 60_000;
  while (performance.now() < deadline) {
    await sleep(Math.min(5_000, deadline - performance.now()));
    peakRssMb = Math.max(peakRssMb, (await rssOf(agentPid)).peakRssMb);
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const agentCpuPercent = (((await cpuSecondsOf(agentPid)) - agentCpu0) / elapsedS) * 100;
  const collectdCpuPercent = collectd
    ? (((await cpuSecondsOf(pidOf(collectd))) - collectdCpu0) / elapsedS) * 100
    : null;
  const { rssMb: finalRssMb } = await rssOf(agentPid);
  log(
    `agent:    ${agentCpuPercent.toFixed(3)} % of one core, peak RSS ${peakRssMb.toFixed(1)} MB, final ${finalRssMb.toFixed(1)} MB`,
  );
  if (collectdCpuPercent !== null) log(`collectd: ${collectdCpuPercent.toFixed(3)} % of one core`);
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => exited(child)));

  log("simulating one day at 10 s (the real writer, one change and one flush per tick)…");
  const day = await measureSimulatedDay(join(work, "simulated"), INTERVAL_S);
  log(
    `one day: ${day.metricSamples} metric samples, ${day.dayDocumentBytes} bytes on disk, ${day.bytesPerMetricSample.toFixed(2)} bytes per metric sample`,
  );

  log(
    JSON.stringify({
      minutes,
      intervalS: INTERVAL_S,
      agentCpuPercent: round(agentCpuPercent, 3),
      collectdCpuPercent: collectdCpuPercent === null ? null : round(collectdCpuPercent, 3),
      cpuRatio:
        collectdCpuPercent === null || collectdCpuPercent === 0
          ? null
          : round(agentCpuPercent / collectdCpuPercent, 2),
      agentPeakRssMb: round(peakRssMb, 1),
      agentFinalRssMb: round(finalRssMb, 1),
      bytesPerMetricSample: round(day.bytesPerMetricSample, 2),
      ...(collectdProblem ? { collectdError: collectdProblem } : {}),
    }),
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await relay?.stop();
  await rm(work, { recursive: true, force: true });
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined || child.exitCode !== null)
    throw new Error("a measured process died");
  return child.pid;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once("close", () => r()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
