import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayMetrics } from "../metrics/relay-metrics.js";
import { eventually } from "../testing/clients.js";
import type { TestRelay } from "../testing/relay-fixture.js";
import { startTestRelay } from "../testing/relay-fixture.js";
import { IdleUnloader } from "./idle-unloader.js";
import { saveLiveDocumentsOnly } from "./live-saves-only.js";

type Counter = { values: number[] };
let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "outpost-unload-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function repoOnDisk(): Promise<Repo> {
  return new Repo({
    storage: await CrashSafeFileStorageAdapter.create(directory, { logger: silentLogger }),
    network: [],
  });
}

/** A document with 50 flushed values and 10 more still only in memory. */
async function documentWithUnflushedTail(repo: Repo): Promise<DocHandle<Counter>> {
  const handle = repo.create<Counter>({ values: [] });
  for (let i = 0; i < 50; i += 1) handle.change((doc) => void doc.values.push(i));
  await repo.flush();
  for (let i = 50; i < 60; i += 1) handle.change((doc) => void doc.values.push(i));
  return handle;
}

async function reloadValues(handle: DocHandle<Counter>): Promise<number[] | undefined> {
  const fresh = await repoOnDisk();
  try {
    return (await fresh.find<Counter>(handle.url)).doc().values;
  } finally {
    await fresh.shutdown();
  }
}

describe("unloading idle documents", () => {
  it("automerge-repo's own removeFromCache writes an empty document over real data (the hazard)", async () => {
    const repo = await repoOnDisk();
    const handle = await documentWithUnflushedTail(repo);
    await repo.removeFromCache(handle.documentId);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the throttled save fires
    // If automerge-repo fixes this, this test fails: then the workaround can go.
    expect(await reloadValues(handle)).toBeUndefined();
  });

  it("IdleUnloader flushes first and keeps the empty stand-in off the disk", async () => {
    const repo = await repoOnDisk();
    const handle = await documentWithUnflushedTail(repo);
    const unloader = new IdleUnloader(repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    expect(await unloader.sweep()).toBe(1);
    expect(repo.handles[handle.documentId]).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await reloadValues(handle)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it("leaves a document alone when it is touched while being flushed", async () => {
    const repo = await repoOnDisk();
    const handle = await documentWithUnflushedTail(repo);
    const unloader = new IdleUnloader(repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    unloader.touch(handle.documentId);
    const unloading = unloader.unload(handle.documentId, handle, performance.now() - 1);
    expect(await unloading).toBe(false);
    expect(repo.handles[handle.documentId]).toBe(handle);
    await repo.shutdown();
  });
});

describe("a save automerge-repo scheduled before an unload", () => {
  /**
   * Unloads a freshly changed document (its throttled save still pending), loads it again, changes
   * and flushes it, then waits out the old save. Returns every document state storage wrote after
   * the flush, the final heads and the document's handle. Unguarded, it unloads as careful stock
   * automerge-repo code would (flush, detach the save listener, `removeFromCache`); guarded, as
   * the relay does (saveLiveDocumentsOnly, and IdleUnloader, which also frees the old document).
   */
  async function reloadBeforeTheOldSave(guarded: boolean) {
    const storage = await CrashSafeFileStorageAdapter.create(directory, { logger: silentLogger });
    const repo = new Repo({ storage, network: [], saveDebounceRate: 200 });
    const handle = repo.create<Counter>({ values: [] });
    for (let i = 0; i < 20; i += 1) handle.change((doc) => void doc.values.push(i));
    if (guarded) {
      saveLiveDocumentsOnly(repo);
      const unloader = new IdleUnloader(repo, {
        idleMs: 0,
        logger: silentLogger,
        metrics: new RelayMetrics(),
      });
      const touched = unloader.lastTouched(handle.documentId);
      expect(await unloader.unload(handle.documentId, handle, touched)).toBe(true);
    } else {
      await repo.flush([handle.documentId]);
      handle.removeAllListeners("heads-changed");
      await repo.removeFromCache(handle.documentId);
    }

    const reloaded = await repo.find<Counter>(handle.url);
    for (let i = 20; i < 40; i += 1) reloaded.change((doc) => void doc.values.push(i));
    await repo.flush([handle.documentId]);
    const written: string[] = [];
    repo.on("doc-metrics", (event) => {
      if (event.type !== "doc-compacted" && event.type !== "doc-saved") return;
      // automerge-repo 2.5's types omit `savedHeads`, which both events carry.
      const { savedHeads } = event as { savedHeads?: string[] };
      written.push(savedHeads?.join() ?? "(no heads reported)");
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await storage.whenIdle();
    const finalHeads = A.getHeads(reloaded.doc()).join();
    await repo.shutdown();
    return { written, finalHeads, handle };
  }

  it("writes the old state over the newer one in stock automerge-repo 2.5 (the hazard)", async () => {
    const { written, finalHeads } = await reloadBeforeTheOldSave(false);
    // If automerge-repo cancels such saves one day, this fails and the guard can go.
    expect(written.filter((heads) => heads !== finalHeads)).not.toEqual([]);
  });

  it("saveLiveDocumentsOnly skips it, so storage only ever writes the live state", async () => {
    const { written, finalHeads, handle } = await reloadBeforeTheOldSave(true);
    expect(written.filter((heads) => heads !== finalHeads)).toEqual([]);
    expect(await reloadValues(handle)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});

describe("freeing an unloaded document", () => {
  /** Storage whose saves of document chunks each wait until the test releases them. */
  class GatedStorage {
    readonly held: (() => void)[] = [];
    constructor(readonly inner: CrashSafeFileStorageAdapter) {}
    load: CrashSafeFileStorageAdapter["load"] = (key) => this.inner.load(key);
    loadRange: CrashSafeFileStorageAdapter["loadRange"] = (key) => this.inner.loadRange(key);
    remove: CrashSafeFileStorageAdapter["remove"] = (key) => this.inner.remove(key);
    removeRange: CrashSafeFileStorageAdapter["removeRange"] = (key) => this.inner.removeRange(key);
    save: CrashSafeFileStorageAdapter["save"] = async (key, data) => {
      if (key[1] === "snapshot" || key[1] === "incremental")
        await new Promise<void>((release) => this.held.push(release));
      await this.inner.save(key, data);
    };
  }

  it("waits for a save still under way, which reads the document after writing", async () => {
    const storage = new GatedStorage(
      await CrashSafeFileStorageAdapter.create(directory, { logger: silentLogger }),
    );
    const repo = new Repo({ storage, network: [], saveDebounceRate: 60_000 });
    const unloader = new IdleUnloader(repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    const handle = repo.create<Counter>({ values: [] });
    for (let i = 0; i < 10; i += 1) handle.change((doc) => void doc.values.push(i));
    // A first save under way (an ack's flush, say), then the unload's own.
    const firstSave = repo.flush([handle.documentId]);
    const unloading = unloader.unload(handle.documentId, handle, 0);
    await eventually(() => storage.held.length === 2, "both saves to reach the storage");
    // The unload's save finishes first; the first save still has to read the document.
    storage.held[1]?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    storage.held[0]?.();
    await expect(firstSave).resolves.toBeUndefined();
    expect(await unloading).toBe(true);
    await storage.inner.whenIdle();
    expect(await reloadValues(handle)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});

describe("unloading under concurrent writes through a relay", () => {
  let fixture: TestRelay | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("loses nothing while the relay keeps unloading and reloading the documents being written", async () => {
    fixture = await startTestRelay({
      idleUnloadMs: 0,
      idleSweepIntervalMs: 1_000_000,
      ackDelayMs: 10,
    });
    const writers = [0, 1, 2].map(
      () => fixture?.connect({ kind: "admin", name: "alice" }, fixture.adminToken) as Repo,
    );
    const handles = writers.map((writer) => writer.create<Counter>({ values: [] }));
    let unloads = 0;
    for (let round = 0; round < 40; round += 1) {
      for (const handle of handles) handle.change((doc) => void doc.values.push(round));
      await new Promise((resolve) => setTimeout(resolve, round % 3 === 0 ? 40 : 5));
      unloads += await fixture.relay.sweepIdleDocuments();
    }
    expect(unloads).toBeGreaterThan(10);

    // A fresh reader on a fresh connection sees every value the writers wrote.
    const reader = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    const expected = Array.from({ length: 40 }, (_, i) => i);
    for (const handle of handles) {
      await eventually(async () => {
        const seen = await reader.find<Counter>(handle.url);
        return JSON.stringify(seen.doc().values) === JSON.stringify(expected);
      }, `all 40 values of ${handle.documentId} at the reader`);
    }
    // And they are on the relay's disk, not only in someone's memory.
    await fixture.close({ keepData: true });
    directory = join(fixture.dataDirectory, "documents");
    for (const handle of handles) expect(await reloadValues(handle)).toEqual(expected);
    await rm(fixture.dataDirectory, { recursive: true, force: true });
    fixture = undefined;
  });
});
