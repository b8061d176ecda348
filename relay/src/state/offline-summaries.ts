import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import {
  type DeviceId,
  type DeviceSummary,
  type FleetSummaryIndex,
  silentLogger,
  summaryIndexOf,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, lockDataFolder } from "@outpost/shared-model/storage";
import { FleetDocument } from "./fleet-document.js";
import { PrincipalStore } from "./principal-store.js";
import { SummaryShards } from "./summary-shards.js";

/**
 * Writes device summaries into a stopped relay's summary shards, with the relay's own shard
 * writer, as the relay would have written them had it synced those DeviceDocs: for tools that
 * store DeviceDocs straight into a stopped relay's folder (bench:dashboard, which syncs 10,000
 * documents in no other way in reasonable time). Takes the data folder's lock, as the relay does.
 * Returns where the shards are.
 *
 * @throws Error when the folder is in use or has no fleet yet (start the relay once first)
 */
export async function writeSummariesOffline(
  dataDirectory: string,
  summaries: Iterable<readonly [DeviceId, DeviceSummary]>,
): Promise<FleetSummaryIndex> {
  const release = await lockDataFolder(dataDirectory, {
    lockFile: "relay.pid",
    program: "outpost-relay",
  });
  const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
    logger: silentLogger,
  });
  const repo = new Repo({ storage, network: [] });
  let principals: PrincipalStore | undefined;
  try {
    principals = await PrincipalStore.open(dataDirectory, silentLogger);
    const identity = principals.identity;
    if (identity === undefined) throw new Error(`${dataDirectory} holds no fleet yet`);
    const fleet = await FleetDocument.open(repo, principals, identity.relayId);
    const shards = await SummaryShards.open(repo, fleet, { logger: silentLogger });
    for (const [deviceId, summary] of summaries) shards.update(deviceId, summary);
    await shards.close();
    await repo.flush();
    return summaryIndexOf(fleet.doc()) as FleetSummaryIndex;
  } finally {
    principals?.close();
    await repo.shutdown();
    await storage.whenIdle();
    await release();
  }
}
