import { join } from "node:path";
import { type AutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { Agent, type Collector, SimulatedClock } from "@outpost/agent";
import { DAY_MS, type Day, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import {
  makeSimulatedDevice,
  SIMULATED_METRICS,
} from "../../scripts/synthetic-fleet/simulated-device.js";

/** What one simulated day left on the agent's disk. */
export interface SimulatedDayResult {
  ticks: number;
  metricSamples: number;
  /** Bytes of the closed day document's chunk files as the agent left them. */
  dayDocumentBytes: number;
  bytesPerMetricSample: number;
}

const FIRST_DAY = "2026-11-02" as Day;

/**
 * Runs the real agent (its writer, flushes, day roll-over) for one simulated day at
 * `intervalS` with a laptop-like simulated collector, its relay unreachable, and measures the
 * closed day document on disk. One tick is one Automerge change and one flush, as in production.
 */
export async function measureSimulatedDay(
  dataDirectory: string,
  intervalS: number,
): Promise<SimulatedDayResult> {
  const start = Date.parse(`${FIRST_DAY}T00:00:00Z`);
  const clock = new SimulatedClock(start);
  clock.holdAt(start + DAY_MS); // the first tick of the next day closes this one
  const nextValues = makeSimulatedDevice(20261102);
  const simulated: Collector = {
    name: "simulated-laptop",
    metrics: SIMULATED_METRICS,
    defaults: { intervalS: 0 },
    create: () => ({ collect: async () => ({ ...nextValues() }) }),
  };
  const agent = await Agent.start({
    dataDirectory,
    relayUrl: "http://127.0.0.1:9", // discard port: nobody answers
    enrollmentSecret: undefined,
    sampleIntervalS: intervalS,
    retainDays: 2,
    diskBudgetBytes: 1024 ** 3,
    logger: silentLogger,
    collectors: [simulated],
    clock,
  });
  try {
    await clock.whenHeld();
    const url = agent.days.urlOf(FIRST_DAY);
    if (url === undefined) throw new Error(`the agent wrote no document for ${FIRST_DAY}`);
    await agent.stop();
    const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      readOnly: true,
      logger: silentLogger,
    });
    const chunks = await storage.loadRange([parseAutomergeUrl(url as AutomergeUrl).documentId]);
    const dayDocumentBytes = chunks.reduce((sum, chunk) => sum + (chunk.data?.byteLength ?? 0), 0);
    const ticks = DAY_MS / (intervalS * 1000);
    const metricSamples = ticks * Object.keys(SIMULATED_METRICS).length;
    return {
      ticks,
      metricSamples,
      dayDocumentBytes,
      bytesPerMetricSample: dayDocumentBytes / metricSamples,
    };
  } finally {
    await agent.stop().catch(() => {});
  }
}
