import { type DocHandle, Repo } from "@automerge/automerge-repo";
import {
  createDeviceDoc,
  type DeviceDoc,
  type DeviceId,
  parseDeviceId,
} from "@outpost/shared-model";
import type { Cleanup } from "@outpost/shared-model/testing";
import { AgentStateStore } from "../state/agent-state.js";

/** A device's DeviceDoc in a network-less, in-memory repo, with the agent's state store for it. */
export interface MemoryDevice {
  /** A temp folder holding the state file. */
  folder: string;
  repo: Repo;
  deviceId: DeviceId;
  device: DocHandle<DeviceDoc>;
  store: AgentStateStore;
}

/**
 * What an agent part needs of an enrolled device, without an agent: the DeviceDoc of `name`
 * (`laptop-1` by default) and a state store that names it, created at `createdAt`. Released by
 * `cleanup`.
 */
export async function memoryDevice(
  cleanup: Cleanup,
  prefix: string,
  createdAt = 0,
  name = "laptop-1",
): Promise<MemoryDevice> {
  const folder = await cleanup.tempFolder(prefix);
  const repo = new Repo({ network: [] });
  cleanup.defer(() => repo.shutdown());
  const deviceId = parseDeviceId(name);
  const device = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
  const store = await AgentStateStore.open(folder, () => ({
    version: 1,
    deviceId,
    deviceDocUrl: device.url,
    createdAt,
    days: {},
  }));
  return { folder, repo, deviceId, device, store };
}
