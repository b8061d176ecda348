import { setTimeout as delay } from "node:timers/promises";
import type { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";

/** Longer than automerge-repo's save throttle (100 ms), with room for the write itself. */
const SAVE_SETTLE_MS = 300;

/**
 * Waits until nothing more will be written to `storage` on automerge-repo's behalf. Its sync-state
 * saves go through a throttle that neither `repo.delete` nor `repo.shutdown` cancels or awaits,
 * so one may still start a moment later: let the throttle window pass, then wait for the writes
 * under way. Callers: deleting a document's folder, and stopping the agent (its folder may be
 * removed or reused right after).
 */
export async function storageQuiet(storage: CrashSafeFileStorageAdapter): Promise<void> {
  await delay(SAVE_SETTLE_MS);
  await storage.whenIdle();
}
