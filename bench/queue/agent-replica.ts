import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type AutomergeUrl, type DocHandle, Repo } from "@automerge/automerge-repo";
import { AgentStateStore, DOCUMENTS_FOLDER, storageQuiet } from "@outpost/agent";
import type { DeviceDoc, DeviceId } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";

/** The stopped agent's device, and its DeviceDoc opened from the agent's own storage. */
export interface AgentReplica {
  deviceId: DeviceId;
  device: DocHandle<DeviceDoc>;
  /** The repo over the agent's storage, to add documents to it. */
  repo: Repo;
  /** Flushes every change to the agent's storage, closes the repo and waits for its last saves. */
  close(): Promise<void>;
}

/**
 * Opens the DeviceDoc of a stopped agent's data folder the way the agent does: its state file
 * names the document, and a Repo over a {@link CrashSafeFileStorageAdapter} on its documents
 * folder loads it. The agent must not run meanwhile (its data lock would not stop us).
 */
export async function openAgentReplica(dataDirectory: string): Promise<AgentReplica> {
  const state = await AgentStateStore.read(dataDirectory);
  if (state === undefined) {
    throw new Error(`${dataDirectory} holds no agent state: the agent has not run there`);
  }
  const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, DOCUMENTS_FOLDER));
  const repo = new Repo({ storage, network: [] });
  const device = await repo.find<DeviceDoc>(state.deviceDocUrl as AutomergeUrl);
  return {
    deviceId: state.deviceId as DeviceId,
    device,
    repo,
    close: async () => {
      await repo.flush();
      await repo.shutdown();
      // Saves still under way would land after the agent starts on the folder (as its stop waits).
      await storageQuiet(storage);
    },
  };
}

/**
 * A maintenance window that stays closed for the next 12 hours: one minute, starting 12 hours
 * from `now` in this machine's time zone (the agent's, since it runs here).
 */
export function closedMaintenanceWindow(now: number): { start: string; end: string } {
  const clock = (at: number) => {
    const date = new Date(at);
    return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
  };
  const start = now + 12 * 3_600_000;
  return { start: clock(start), end: clock(start + 60_000) };
}

/** Puts `script` in the agent's scripts folder (`<data>/scripts`), where `script.run` looks. */
export async function installScript(
  dataDirectory: string,
  script: { name: string; text: string },
): Promise<void> {
  const folder = join(dataDirectory, "scripts");
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, script.name), script.text, { mode: 0o755 });
}
