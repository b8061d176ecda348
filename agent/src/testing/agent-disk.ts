/**
 * What an agent's data folder holds, read as the agent's next start would load it (the agent
 * stopped or killed).
 */
import { join } from "node:path";
import { type AutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import {
  type Day,
  type DeviceDoc,
  HOUR_MS,
  silentLogger,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, readReplica } from "@outpost/shared-model/storage";
import { DOCUMENTS_FOLDER } from "../runtime/agent.js";
import { AgentStateStore } from "../state/agent-state.js";

/** The timestamp (epoch ms) of every sample in a stopped or killed agent's replica, in order. */
export async function readStoredSampleTimes(agentDataDirectory: string): Promise<number[]> {
  const state = await AgentStateStore.read(agentDataDirectory);
  if (state === undefined) throw new Error(`no agent state in ${agentDataDirectory}`);
  return readReplica(join(agentDataDirectory, DOCUMENTS_FOLDER), async (repo) => {
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
  });
}

/** True when the agent's store in `agentDataDirectory` holds any chunk of the document. */
export async function documentOnDisk(agentDataDirectory: string, url: string): Promise<boolean> {
  const storage = await CrashSafeFileStorageAdapter.create(
    join(agentDataDirectory, DOCUMENTS_FOLDER),
    { readOnly: true, logger: silentLogger },
  );
  const { documentId } = parseAutomergeUrl(url as AutomergeUrl);
  return (await storage.loadRange([documentId])).length > 0;
}
