import { join } from "node:path";
import { type AutomergeUrl, type DocHandle, type PeerId, Repo } from "@automerge/automerge-repo";
import {
  createDeviceDoc,
  type DeviceDoc,
  type DeviceId,
  forgetLoadPatches,
  peerIdFor,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { AgentStateStore } from "../state/agent-state.js";
import { newDeviceId } from "./device-identity.js";

/** Folder of the Automerge documents inside the data folder. */
export const DOCUMENTS_FOLDER = "documents";

/** The device's replica on local disk, as {@link openLocalReplica} leaves it. */
export interface LocalReplica {
  deviceId: DeviceId;
  /** A repo on the crash-safe store, with no network yet (the relay link adds it). */
  repo: Repo;
  storage: CrashSafeFileStorageAdapter;
  /** `agent-state.json`: device ID, DeviceDoc URL, per-day state. */
  store: AgentStateStore;
  device: DocHandle<DeviceDoc>;
}

/**
 * Opens the device's replica in `dataDirectory` (which the caller has locked), or creates it on
 * the first run: a device ID (the configured one, else one from the hostname), and a DeviceDoc
 * on disk before the state file refers to it.
 *
 * @throws StateFileError for a damaged state file.
 */
export async function openLocalReplica(
  dataDirectory: string,
  options: { hostname: string; deviceId?: DeviceId; now: () => number },
): Promise<LocalReplica> {
  const existing = await AgentStateStore.read(dataDirectory);
  const deviceId =
    (existing?.deviceId as DeviceId | undefined) ??
    options.deviceId ??
    newDeviceId(options.hostname);
  const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, DOCUMENTS_FOLDER));
  const repo = new Repo({
    storage,
    network: [],
    peerId: peerIdFor({ kind: "device", deviceId }, `agent-${process.pid}`) as PeerId,
  });
  let deviceDocUrl = existing?.deviceDocUrl;
  if (deviceDocUrl === undefined) {
    // First run: the device document exists (and is on disk) before anything refers to it.
    const created = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
    await repo.flush([created.documentId]);
    deviceDocUrl = created.url;
  }
  const store = await AgentStateStore.open(dataDirectory, () => ({
    version: 1,
    deviceId,
    deviceDocUrl: deviceDocUrl as string,
    createdAt: options.now(),
    days: {},
  }));
  const device = await repo.find<DeviceDoc>(store.state.deviceDocUrl as AutomergeUrl);
  // The load's patches describe the whole document and would stay until its next change: an
  // idle agent's heap (docs/ARCHITECTURE.md, "Strings in documents").
  forgetLoadPatches(device.doc());
  return {
    deviceId: store.state.deviceId as DeviceId,
    repo,
    storage,
    store,
    device,
  };
}
