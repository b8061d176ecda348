/**
 * Benchmark: how many bytes one day of telemetry costs on disk, against gzip'd CSV of the same
 * samples, and whether the cost of one sample tick stays flat through the day.
 *
 * One simulated UTC day at a 10 s interval (8,640 ticks) of the 8 standard metrics is written
 * through the real helpers (`appendSample`, one `handle.change` per tick) into a TelemetryDayDoc
 * held by a real automerge-repo `Repo` on the crash-safe file adapter, flushed after every tick
 * as the agent's disk would see it.
 *
 * Run with `npm run bench:doc-size`; the last line of stdout is the result as JSON.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";
import { type AutomergeUrl, Repo, type StorageAdapterInterface } from "@automerge/automerge-repo";
import {
  appendSample,
  createTelemetryDayDoc,
  parseDay,
  parseDeviceId,
  readRange,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import {
  makeSimulatedDevice,
  SIMULATED_METRICS,
} from "../../scripts/synthetic-fleet/simulated-device.js";
import { compactToSnapshot } from "./compact.js";
import { CsvExport } from "./csv-export.js";
import { bytesOnDisk, CountingStorageAdapter } from "./storage-metrics.js";

/** What one run measures. Sizes are bytes per metric sample: ticks × metrics. */
export interface DocSizeResult {
  /** On disk (files as the adapter writes them) after compaction to one snapshot. */
  bytesPerMetricSample: number;
  /** The same samples as a human's CSV export, gzip'd at node:zlib's default level. */
  gzipCsvBytesPerMetricSample: number;
  /** `bytesPerMetricSample / gzipCsvBytesPerMetricSample`; the target is at most 1. */
  ratio: number;
  /** Mean wall time of one `handle.change` over the first hour of the day. */
  msPerChangeFirstHour: number;
  /** Mean wall time of one `handle.change` over the last hour of the day. */
  msPerChangeLastHour: number;
  /** Medians of the same, which GC pauses and a busy machine disturb less than the means. */
  msPerChangeMedianFirstHour: number;
  msPerChangeMedianLastHour: number;
  /** Times automerge-repo compacted the document on its own during the day. */
  compactionsDuringDay: number;
  /** On disk when the day ends, as automerge-repo left it (snapshot plus incrementals). */
  uncompactedBytesPerMetricSample: number;
  /** Every incremental chunk saved during the day: the size if nothing were ever compacted. */
  incrementalBytesPerMetricSample: number;
  /** Everything the repo handed the adapter during the day, compactions included (SSD wear). */
  bytesWrittenPerMetricSample: number;
  /** `A.save(doc)`, before the adapter's framing. */
  snapshotBytes: number;
  compactedBytesOnDisk: number;
  uncompactedBytesOnDisk: number;
  gzipCsvBytes: number;
  csvBytes: number;
  ticks: number;
  metrics: number;
  samples: number;
  msTotal: number;
}

/** How to run the benchmark; the defaults are the figures the design quotes. */
export interface DocSizeOptions {
  /** Sample ticks to write; 8,640 is one day at 10 s. */
  ticks?: number;
  intervalS?: number;
  /** PRNG seed of the simulated device, so runs are repeatable. */
  seed?: number;
  /** Ticks written to a throwaway document first, so the first hour is not timing the JIT. */
  warmUpTicks?: number;
  /** Progress lines for a human; silent by default. */
  log?: (line: string) => void;
  /** The storage adapter over a fresh directory; the crash-safe file adapter by default. */
  makeStorage?: (dir: string) => Promise<StorageAdapterInterface>;
}

// automerge-repo's default, given explicitly because settle() has to wait it out.
const SAVE_DEBOUNCE_MS = 100;
const DAY = parseDay("2026-11-21");
const DEVICE_ID = parseDeviceId("bench-laptop");

/** Runs the benchmark in a temporary directory, which it removes afterwards. */
export async function runDocSizeBench(options: DocSizeOptions = {}): Promise<DocSizeResult> {
  const {
    ticks = 8_640,
    intervalS = 10,
    seed = 20261121,
    warmUpTicks = 360,
    log = () => {},
    makeStorage = (dir: string) => CrashSafeFileStorageAdapter.create(dir),
  } = options;
  const dir = await mkdtemp(join(tmpdir(), "outpost-doc-size-"));
  try {
    const metricCount = Object.keys(SIMULATED_METRICS).length;
    const samples = ticks * metricCount;
    const perSample = (bytes: number) => bytes / samples;
    const startedAt = performance.now();
    // V8 tiers up Automerge's wasm and our code over the first few hundred changes (the first
    // minutes run several times slower); without this, "first hour vs last hour" measures the
    // JIT instead of whether the per-change cost grows through the day.
    await warmUp(Math.min(warmUpTicks, ticks), intervalS, seed + 1);

    const storage = new CountingStorageAdapter(await makeStorage(dir));
    const repo = new Repo({ storage, network: [], saveDebounceRate: SAVE_DEBOUNCE_MS });
    let compactionsDuringDay = 0;
    repo.on("doc-metrics", (event) => {
      if (event.type === "doc-compacted") compactionsDuringDay += 1;
    });
    const handle = repo.create<TelemetryDayDoc>(
      createTelemetryDayDoc(DEVICE_ID, DAY, intervalS, SIMULATED_METRICS),
    );
    await repo.flush();

    const nextValues = makeSimulatedDevice(seed);
    const csv = new CsvExport(SIMULATED_METRICS);
    const changeMs = new Float64Array(ticks);
    const dayStart = startOfDay(DAY);
    for (let tick = 0; tick < ticks; tick += 1) {
      const sample = { at: dayStart + tick * intervalS * 1000, values: nextValues() };
      csv.addRow(sample.at, sample.values);
      const before = performance.now();
      handle.change((doc) => appendSample(doc, sample));
      changeMs[tick] = performance.now() - before;
      // The agent's disk sees every tick (10 s apart, far beyond the repo's 100 ms save throttle),
      // so save each one rather than letting the throttle batch a tight loop into a few chunks.
      // The throttled save still fires now and then; it finds nothing new or writes the same
      // chunk, so it only shifts when the repo's own compactions happen.
      await repo.flush([handle.documentId]);
      if ((tick + 1) % 1_440 === 0) log(`  ${tick + 1} ticks written`);
    }
    await settle(repo, storage);

    // Compacted state, deterministically: the repo compacts only when its incremental chunks
    // outgrow the snapshot, so the day ends with a snapshot plus some incrementals. Measure that,
    // then replace it all with one `A.save(doc)` snapshot through the adapter (see compact.ts).
    const uncompacted = await bytesOnDisk(dir);
    const doc = handle.doc();
    const snapshotBytes = await compactToSnapshot(storage, handle.documentId, doc);
    const compacted = await bytesOnDisk(dir);
    await checkReloadsIdentically(
      new CountingStorageAdapter(await makeStorage(dir)),
      handle.url,
      doc,
      dayStart,
    );

    const csvBytes = csv.toBytes();
    const gzipCsvBytes = gzipSync(csvBytes).length;
    const ticksPerHour = Math.min(ticks, Math.round(3_600 / intervalS));
    const bytesPerMetricSample = perSample(compacted.bytes);
    const gzipCsvBytesPerMetricSample = perSample(gzipCsvBytes);
    return {
      bytesPerMetricSample,
      gzipCsvBytesPerMetricSample,
      ratio: bytesPerMetricSample / gzipCsvBytesPerMetricSample,
      msPerChangeFirstHour: mean(changeMs.subarray(0, ticksPerHour)),
      msPerChangeLastHour: mean(changeMs.subarray(ticks - ticksPerHour)),
      msPerChangeMedianFirstHour: median(changeMs.subarray(0, ticksPerHour)),
      msPerChangeMedianLastHour: median(changeMs.subarray(ticks - ticksPerHour)),
      compactionsDuringDay,
      uncompactedBytesPerMetricSample: perSample(uncompacted.bytes),
      incrementalBytesPerMetricSample: perSample(storage.bytesSavedByType.incremental ?? 0),
      bytesWrittenPerMetricSample: perSample(storage.bytesSaved),
      snapshotBytes,
      compactedBytesOnDisk: compacted.bytes,
      uncompactedBytesOnDisk: uncompacted.bytes,
      gzipCsvBytes,
      csvBytes: csvBytes.length,
      ticks,
      metrics: metricCount,
      samples,
      msTotal: performance.now() - startedAt,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `ticks` samples the same way into a throwaway document of a storage-less repo. */
async function warmUp(ticks: number, intervalS: number, seed: number): Promise<void> {
  const repo = new Repo({ network: [] });
  const handle = repo.create<TelemetryDayDoc>(
    createTelemetryDayDoc(DEVICE_ID, DAY, intervalS, SIMULATED_METRICS),
  );
  const nextValues = makeSimulatedDevice(seed);
  const dayStart = startOfDay(DAY);
  for (let tick = 0; tick < ticks; tick += 1) {
    const sample = { at: dayStart + tick * intervalS * 1000, values: nextValues() };
    handle.change((doc) => appendSample(doc, sample));
  }
  await repo.shutdown();
}

/**
 * Loads the compacted directory into a fresh repo and checks it reads exactly as the day that was
 * written: the figures mean nothing if the snapshot on disk is not the whole truth.
 */
async function checkReloadsIdentically(
  storage: CountingStorageAdapter,
  url: AutomergeUrl,
  written: TelemetryDayDoc,
  dayStart: number,
): Promise<void> {
  const repo = new Repo({ storage, network: [], saveDebounceRate: SAVE_DEBOUNCE_MS });
  try {
    const reloaded = (await repo.find<TelemetryDayDoc>(url)).doc();
    const wholeDay = (doc: TelemetryDayDoc) => readRange([doc], dayStart, dayStart + 86_400_000);
    if (!isDeepStrictEqual(wholeDay(reloaded), wholeDay(written))) {
      throw new Error("the compacted day document does not read back as the day that was written");
    }
  } finally {
    await settle(repo, storage);
  }
}

/**
 * Shuts the repo down and waits until nothing more reaches the disk. `shutdown()` flushes, but
 * does not wait for a save the repo's throttle already started (the throttle can fire during the
 * flush and write the same chunk again), so the directory could still be changing when measured
 * or removed. Waiting out the throttle window and then the adapter's running calls fixes that.
 */
async function settle(repo: Repo, storage: CountingStorageAdapter): Promise<void> {
  await repo.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 2 * SAVE_DEBOUNCE_MS));
  await storage.whenIdle();
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? 0 : sum / values.length;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function formatFigures(result: DocSizeResult): string[] {
  const bytes = (value: number) => value.toFixed(3);
  const ms = (value: number) => value.toFixed(3);
  return [
    `${result.ticks} ticks x ${result.metrics} metrics = ${result.samples} metric samples`,
    `uncompacted on disk: ${result.uncompactedBytesOnDisk} B = ${bytes(result.uncompactedBytesPerMetricSample)} B/sample` +
      ` (incremental chunks over the day: ${bytes(result.incrementalBytesPerMetricSample)} B/sample,` +
      ` all writes: ${bytes(result.bytesWrittenPerMetricSample)} B/sample)`,
    `compacted on disk:   ${result.compactedBytesOnDisk} B = ${bytes(result.bytesPerMetricSample)} B/sample` +
      ` (A.save: ${result.snapshotBytes} B)`,
    `gzip'd CSV:          ${result.gzipCsvBytes} B = ${bytes(result.gzipCsvBytesPerMetricSample)} B/sample` +
      ` (plain CSV: ${result.csvBytes} B)`,
    `ratio compacted / gzip'd CSV: ${result.ratio.toFixed(3)} (target <= 1.0)`,
    `handle.change mean:   ${ms(result.msPerChangeFirstHour)} ms first hour, ${ms(result.msPerChangeLastHour)} ms last hour`,
    `handle.change median: ${ms(result.msPerChangeMedianFirstHour)} ms first hour, ${ms(result.msPerChangeMedianLastHour)} ms last hour`,
    `compactions by automerge-repo during the day: ${result.compactionsDuringDay}`,
    `total: ${(result.msTotal / 1000).toFixed(1)} s`,
  ];
}

// Runs only as `tsx doc-size/doc-size.ts`, not when the smoke test imports the module.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // biome-ignore lint/suspicious/noConsole: benchmark output
  const print = (line: string) => console.log(line);
  print(
    "doc-size: one simulated day of telemetry into a TelemetryDayDoc on the crash-safe adapter",
  );
  const result = await runDocSizeBench({ log: print });
  for (const line of formatFigures(result)) print(line);
  print(JSON.stringify(result));
}
