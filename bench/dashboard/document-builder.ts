/**
 * Child process entry: builds the benchmark's documents (the CPU-heavy part of its set-up: one
 * Automerge change per write, as the writers made them), one job at a time, answering over IPC.
 */

import { saveDeviceDocument } from "../../scripts/synthetic-fleet/device-history.js";
import { drawDeviceHistory } from "../../scripts/synthetic-fleet/synthetic-device.js";
import type { BuildJob, BuildResult } from "./builder-messages.js";
import { buildDayDocument } from "./telemetry-week.js";

function run(job: BuildJob): BuildResult {
  if (job.type === "day") {
    return { type: "day", day: buildDayDocument(job.deviceId, job.plan, job.seed) };
  }
  const devices = job.indices.map((index) => {
    const history = drawDeviceHistory({ seed: job.seed, index, now: job.now });
    const { deviceId, hostname } = history;
    return { index, deviceId, hostname, ...saveDeviceDocument(history) };
  });
  return { type: "devices", devices };
}

process.on("message", (job: BuildJob) => process.send?.(run(job)));
// Without the benchmark there is nobody to answer, and nobody to stop this process.
process.on("disconnect", () => process.exit(0));
