/**
 * `npm run bench:dashboard -- [--devices N] [--runs R] [--seed S] [--cpu-profile DIR]`: the
 * dashboard in Chromium with a replica of N devices (default 1,000 synthetic DeviceDocs) and one
 * device with 7 days of 10 s telemetry. After one online visit, the relay is stopped and the
 * browser taken offline; each of R runs (default 5) opens the app in a new tab and measures
 * navigation → interactive fleet table and → every row complete (from the summary shards), a sort
 * and a filter of every row, the longest task after the first paint, then the 7-day chart of the
 * telemetry device (uPlot's draw, and click → drawn). Medians; last line: one JSON object.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Relay } from "@outpost/relay";
import { freePort } from "@outpost/shared-model/testing";
import { type BrowserProfile, buildDashboard, launchProfile } from "@outpost/test-support/browser";
import { wholeNumberOption } from "../../scripts/cli/whole-number.js";
import { visitConnected } from "./connected-visit.js";
import { profileOfflineRun } from "./cpu-profile.js";
import { offlineRun, type RunFigures } from "./offline-run.js";
import { visitOnline } from "./online-visit.js";
import { probeScript } from "./page-probe.js";
import { describeRun, medians, round, TARGETS } from "./result.js";
import { seedFleet } from "./seed-fleet.js";
import { verifyRelay } from "./verify-relay.js";

/** Bounds of each phase; a phase that overruns fails the run with what it was waiting for. */
const ONLINE_TIMEOUT_MS = 10 * 60_000;
const RUN_TIMEOUT_MS = 3 * 60_000;
const ADMIN = "alice";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "1000" },
    runs: { type: "string", default: "5" },
    seed: { type: "string", default: "20261121" },
    "cpu-profile": { type: "string" },
  },
  strict: true,
});
const devices = wholeNumberOption("--devices", values.devices, 2, 20_000);
const runCount = wholeNumberOption("--runs", values.runs, 1, 100);
const seed = wholeNumberOption("--seed", values.seed, 0, 2 ** 31);
/** Relative to where npm runs the script: the bench folder. */
const profileDirectory =
  values["cpu-profile"] === undefined ? undefined : resolve(values["cpu-profile"]);
const log = (line: string) => process.stdout.write(`${line}\n`);

const startedAt = performance.now();
const work = await mkdtemp(join(tmpdir(), "outpost-bench-dashboard-"));
let relay: Relay | undefined;
let browser: BrowserProfile | undefined;
try {
  log("building the dashboard…");
  const dashboardDirectory = await buildDashboard(join(work, "dashboard"));
  log(`building ${devices.toLocaleString("en")} devices and a week of 10 s telemetry…`);
  const seeded = await seedFleet(
    { dataDirectory: join(work, "relay"), port: await freePort(), dashboardDirectory },
    { devices, seed, now: Date.now(), log },
  );
  relay = seeded.relay;
  const { fleet, adminToken } = seeded;
  const relayUrl = relay.url;
  await verifyRelay(relay, {
    adminToken,
    devices,
    telemetryDeviceId: fleet.telemetryDevice.deviceId,
  });
  const setupS = (performance.now() - startedAt) / 1000;
  log(
    `relay holds ${fleet.documentIds.length.toLocaleString("en")} documents: ${devices} DeviceDocs (${kib(fleet.deviceDocumentBytes / devices)} each on average), ${fleet.dayDocuments} day documents of ${fleet.telemetryDevice.hostname} with ${fleet.weekSamples.toLocaleString("en")} samples (${kib(fleet.dayDocumentBytes)}); set-up took ${setupS.toFixed(0)} s`,
  );

  browser = await launchProfile();
  await browser.context.addInitScript({ content: probeScript(devices) });
  const database = `outpost:${new URL(relayUrl).host}/${ADMIN}`;
  log("online visit: signing in, loading the fleet and the 7-day chart…");
  const online = await visitOnline(browser.context, {
    relayUrl,
    token: adminToken,
    database,
    telemetryDeviceId: fleet.telemetryDevice.deviceId,
    weekSamples: fleet.weekSamples,
    fleetDocumentIds: [fleet.fleetDocumentIds[0] as string, ...fleet.shardDocumentIds],
    expectedDocumentIds: fleet.visitedDocumentIds,
    timeoutMs: ONLINE_TIMEOUT_MS,
    log,
  });
  log(
    `online: IndexedDB held the FleetDoc and its ${fleet.shardDocumentIds.length} summary shards ${seconds(online.storedMs)} after sign-in; ${online.firstPageLoadedMs === undefined ? "that page never marked every row complete" : `that page marked every row complete at ${seconds(online.firstPageLoadedMs)}`}; ${online.indexCachedMs === undefined ? "it never cached its fleet index" : `it cached its fleet index at ${seconds(online.indexCachedMs)}`}; with the week: ${online.replica.documentIds.length} documents, ${online.replica.records} records, ${kib(online.replica.bytes)}`,
  );

  const connected = await visitConnected(browser.context, {
    appUrl: `${relayUrl}/`,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  log(
    `connected revisit: fleet complete at ${Math.round(connected.fleetCompleteMs)} ms, the Repo following the FleetDoc at ${Math.round(connected.fleetFollowedMs)} ms, longest task after first paint ${Math.round(connected.longestTaskMs)} ms`,
  );

  await relay.stop();
  relay = undefined;
  await browser.context.setOffline(true);
  const runOptions = {
    appUrl: `${relayUrl}/`,
    telemetryDeviceId: fleet.telemetryDevice.deviceId,
    weekSamples: fleet.weekSamples,
    timeoutMs: RUN_TIMEOUT_MS,
  };
  log(`offline (relay stopped, browser offline): ${runCount} runs, each in a new tab`);
  const runs: RunFigures[] = [];
  for (let index = 0; index < runCount; index += 1) {
    const run = await offlineRun(browser.context, runOptions);
    runs.push(run);
    log(describeRun(index, run));
  }
  if (profileDirectory !== undefined) {
    const files = await profileOfflineRun(
      browser.context,
      runOptions,
      profileDirectory,
      dashboardDirectory,
    );
    log(`CPU profile of one more offline run: ${files.join(", ")}`);
  }

  const median = medians(runs);
  log(
    `medians of ${runCount}: fleet interactive ${Math.round(median.fleetInteractiveMs)} ms (target ${TARGETS.fleetInteractiveMs}), complete ${Math.round(median.fleetCompleteMs)} ms (target ${TARGETS.fleetCompleteMs}), sort ${Math.round(median.sortMs)} ms and filter ${Math.round(median.filterMs)} ms (target ${TARGETS.sortOrFilterMs}), longest task after first paint ${Math.round(median.longestTaskMs)} ms and after interactive ${Math.round(median.longestTaskAfterInteractiveMs)} ms (target ${TARGETS.longestTaskMs}); 7-day chart draw ${Math.round(median.chartDrawMs)} ms (target ${TARGETS.chartDrawMs}), click to drawn ${Math.round(median.rangeToDrawnMs)} ms`,
  );
  log(
    JSON.stringify({
      devices,
      fleetInteractiveMs: round(median.fleetInteractiveMs),
      fleetListedMs: round(median.fleetListedMs),
      fleetCompleteMs: round(median.fleetCompleteMs),
      sortMs: round(median.sortMs),
      filterMs: round(median.filterMs),
      chartPoints: Math.round(median.chartPoints),
      chartDrawMs: round(median.chartDrawMs, 1),
      rangeToDrawnMs: round(median.rangeToDrawnMs),
      rangeLoadMs: round(median.rangeLoadMs),
      rangeToAllDrawnMs: round(median.rangeToAllDrawnMs),
      longTasksMs: round(median.longTasksMs),
      longestTaskMs: round(median.longestTaskMs),
      longestTaskAfterInteractiveMs: round(median.longestTaskAfterInteractiveMs),
      fleetInteractiveTargetMet: median.fleetInteractiveMs < TARGETS.fleetInteractiveMs,
      fleetCompleteTargetMet: median.fleetCompleteMs < TARGETS.fleetCompleteMs,
      sortAndFilterTargetMet: Math.max(median.sortMs, median.filterMs) < TARGETS.sortOrFilterMs,
      longestTaskTargetMet: median.longestTaskMs < TARGETS.longestTaskMs,
      summaryShards: fleet.shardDocumentIds.length,
      indexCachedDocuments: runs.map((run) => run.indexCachedDocuments),
      indexReadDocuments: runs.map((run) => run.indexReadDocuments),
      chartDrawTargetMet: median.chartDrawMs < TARGETS.chartDrawMs,
      runs: runCount,
      dayDocuments: fleet.dayDocuments,
      weekSamples: fleet.weekSamples,
      onlineStoredMs: round(online.storedMs),
      connectedLongestTaskMs: round(connected.longestTaskMs),
      connectedFleetFollowedMs: round(connected.fleetFollowedMs),
      onlineFirstPageLoaded: online.firstPageLoadedMs !== undefined,
      replicaDocuments: online.replica.documentIds.length,
      replicaBytes: online.replica.bytes,
      setupSeconds: round(setupS),
    }),
  );
} finally {
  await browser?.close().catch(() => {});
  await relay?.stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toLocaleString("en", { maximumFractionDigits: 1 })} KiB`;
}
