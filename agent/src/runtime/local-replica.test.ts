import { join } from "node:path";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { AgentStateStore } from "../state/agent-state.js";
import { storageQuiet } from "../state/storage-quiet.js";
import { DOCUMENTS_FOLDER, type LocalReplica, openLocalReplica } from "./local-replica.js";

const cleanup = cleanupAfterEach();
const CREATED_AT = Date.parse("2026-11-21T12:00:00Z");

/** Opens the replica as the agent does; `close` (also run after the test) is safe to repeat. */
async function open(
  dataDirectory: string,
  hostname = "laptop-1",
): Promise<LocalReplica & { close: () => Promise<void> }> {
  const replica = await openLocalReplica(dataDirectory, { hostname, now: () => CREATED_AT });
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= replica.repo.shutdown().then(() => storageQuiet(replica.storage));
    return closed;
  };
  cleanup.defer(close);
  return { ...replica, close };
}

describe("openLocalReplica", () => {
  it("creates the device on the first run: an ID from the hostname, its DeviceDoc on disk", async () => {
    const folder = await cleanup.tempFolder("replica");
    const replica = await open(folder);
    expect(replica.deviceId).toMatch(/^laptop-1/);
    expect(replica.device.doc().deviceId).toBe(replica.deviceId);
    const state = await AgentStateStore.read(folder);
    expect(state).toMatchObject({
      deviceId: replica.deviceId,
      deviceDocUrl: replica.device.url,
      createdAt: CREATED_AT,
    });
    // On disk before the state file refers to it, and in the documents folder.
    const documents = await CrashSafeFileStorageAdapter.create(join(folder, DOCUMENTS_FOLDER), {
      readOnly: true,
    });
    expect(await documents.hasAnyUnder([replica.device.documentId])).toBe(true);
  });

  it("opens the same device again, whatever the hostname has become", async () => {
    const folder = await cleanup.tempFolder("replica");
    const first = await open(folder);
    await first.close();
    const again = await open(folder, "renamed-host");
    expect(again.deviceId).toBe(first.deviceId);
    expect(again.device.url).toBe(first.device.url);
    expect(again.device.doc().deviceId).toBe(first.deviceId);
  });
});
