import { join } from "node:path";
import { type AutomergeUrl, Repo } from "@automerge/automerge-repo";
import {
  type Day,
  type DeviceDoc,
  HOUR_MS,
  silentLogger,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { DOCUMENTS_FOLDER } from "../runtime/agent.js";
import { AgentStateStore } from "../state/agent-state.js";

/**
 * The timestamp (epoch ms) of every sample in a stopped or killed agent's replica, read through a
 * fresh read-only store as the next start would load it.
 */
export async function readStoredSampleTimes(agentDataDirectory: string): Promise<number[]> {
  const state = await AgentStateStore.read(agentDataDirectory);
  if (state === undefined) throw new Error(`no agent state in ${agentDataDirectory}`);
  const storage = await CrashSafeFileStorageAdapter.create(
    join(agentDataDirectory, DOCUMENTS_FOLDER),
    { readOnly: true, logger: silentLogger },
  );
  const repo = new Repo({ storage, network: [] });
  try {
    const device = (await repo.find<DeviceDoc>(state.deviceDocUrl as AutomergeUrl)).doc();
    const times: number[] = [];
    for (const [day, entry] of Object.entries(device.telemetry)) {
      const doc = (await repo.find<TelemetryDayDoc>(entry.url as AutomergeUrl)).doc();
      for (const [hour, bucket] of Object.entries(doc.hours)) {
        const hourStart = startOfDay(day as Day) + Number(hour) * HOUR_MS;
        for (const t of bucket.t) times.push(hourStart + t * 1000);
      }
    }
    return times.sort((a, b) => a - b);
  } finally {
    await repo.shutdown();
  }
}
