import { type AutomergeUrl, generateAutomergeUrl, Repo } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../testing/cleanup.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";
import { flushReady, shutdownRepo } from "./flush-ready.js";

const cleanup = cleanupAfterEach();

describe("flushReady", () => {
  it("saves the ready documents while another is still being looked for, where flush() throws", async () => {
    const storage = await CrashSafeFileStorageAdapter.create(await cleanup.tempFolder("flush"));
    const repo = new Repo({ storage, network: [] });
    cleanup.defer(async () => {
      await shutdownRepo(repo);
      await storage.whenIdle();
    });
    const ready = repo.create<{ n: number }>({ n: 1 });
    // A document nobody has: its handle waits, not ready, as the TrustDoc does on its way.
    void repo.find(generateAutomergeUrl() as AutomergeUrl).catch(() => undefined);
    await expect(repo.flush()).rejects.toThrow("DocHandle is not ready");
    await expect(repo.shutdown()).rejects.toThrow("DocHandle is not ready");
    await flushReady(repo);
    expect((await storage.loadRange([ready.documentId])).length).toBeGreaterThan(0);
  });
});
