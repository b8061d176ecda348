import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayMetrics } from "../metrics/relay-metrics.js";
import { connectedTo } from "../testing/clients.js";
import { acknowledges, DurableAckLog } from "../testing/durable-ack-log.js";
import { relayPerTest } from "../testing/relay-fixture.js";
import { ThrottledSaves } from "../testing/throttled-saves.js";
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

interface RepoOnDisk {
  repo: Repo;
  storage: CrashSafeFileStorageAdapter;
}

async function repoOnDisk(at = directory): Promise<RepoOnDisk> {
  const storage = await CrashSafeFileStorageAdapter.create(at, { logger: silentLogger });
  return { repo: new Repo({ storage, network: [] }), storage };
}

/**
 * Shuts the repo down once its throttle has saved `saves`' document, and waits for the storage to
 * go quiet: `Repo.shutdown` neither awaits nor cancels throttled saves, and the folder is removed
 * next.
 */
async function stopQuietly({ repo, storage }: RepoOnDisk, saves: ThrottledSaves): Promise<void> {
  await saves.settled();
  await repo.shutdown();
  await storage.whenIdle();
}

/**
 * A document with 50 flushed values and 10 more still only in memory, and a watch on the saves
 * the repo's throttle makes of it (so whatever wraps the repo's saves is installed first).
 */
async function documentWithUnflushedTail(
  repo: Repo,
): Promise<{ handle: DocHandle<Counter>; saves: ThrottledSaves }> {
  const handle = repo.create<Counter>({ values: [] });
  const saves = new ThrottledSaves(repo, handle);
  for (let i = 0; i < 50; i += 1) handle.change((doc) => void doc.values.push(i));
  await repo.flush();
  for (let i = 50; i < 60; i += 1) handle.change((doc) => void doc.values.push(i));
  return { handle, saves };
}

/** The values a fresh repo finds on the disk in `at`. */
async function reloadValues(
  handle: DocHandle<Counter>,
  at = directory,
): Promise<number[] | undefined> {
  const fresh = await repoOnDisk(at);
  try {
    return (await fresh.repo.find<Counter>(handle.url)).doc().values;
  } finally {
    await fresh.repo.shutdown();
    await fresh.storage.whenIdle();
  }
}

describe("unloading idle documents", () => {
  it("automerge-repo's own removeFromCache writes an empty document over real data (the hazard)", async () => {
    const onDisk = await repoOnDisk();
    const { handle, saves } = await documentWithUnflushedTail(onDisk.repo);
    await onDisk.repo.removeFromCache(handle.documentId);
    // Unloading fired `heads-changed` with the empty stand-in; the throttle saves that. If
    // automerge-repo fixes this, the save never comes or writes nothing, and this test fails:
    // then the workaround can go.
    await saves.settled();
    await onDisk.storage.whenIdle();
    expect(await reloadValues(handle)).toBeUndefined();
    await stopQuietly(onDisk, saves);
  });

  it("IdleUnloader flushes first and keeps the empty stand-in off the disk", async () => {
    const onDisk = await repoOnDisk();
    const unloader = new IdleUnloader(onDisk.repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    const { handle, saves } = await documentWithUnflushedTail(onDisk.repo);
    expect(await unloader.sweep()).toBe(1);
    expect(onDisk.repo.handles[handle.documentId]).toBeUndefined();
    // Whatever the throttle still owes (the last change, or the stand-in were it still listening)
    // has been saved or skipped before the disk is read.
    await saves.settled();
    await onDisk.storage.whenIdle();
    expect(await reloadValues(handle)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await stopQuietly(onDisk, saves);
  });

  it("leaves a document alone when it is touched while being flushed", async () => {
    const onDisk = await repoOnDisk();
    const unloader = new IdleUnloader(onDisk.repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    const { handle, saves } = await documentWithUnflushedTail(onDisk.repo);
    unloader.touch(handle.documentId);
    const unloading = unloader.unload(handle.documentId, handle, performance.now() - 1);
    expect(await unloading).toBe(false);
    expect(onDisk.repo.handles[handle.documentId]).toBe(handle);
    await stopQuietly(onDisk, saves);
  });
});

describe("unloading a document just loaded", () => {
  it("first lets the sync with peers its load scheduled run, so nothing waits on the unloaded handle", async () => {
    const first = await repoOnDisk();
    const written = first.repo.create<Counter>({ values: [1, 2, 3] });
    await first.repo.flush();
    await first.repo.shutdown();
    await first.storage.whenIdle();

    const onDisk = await repoOnDisk();
    const unloader = new IdleUnloader(onDisk.repo, {
      idleMs: 0,
      logger: silentLogger,
      metrics: new RelayMetrics(),
    });
    const handle = await onDisk.repo.find<Counter>(written.url);
    // automerge-repo's throttled sync with peers awaits whenReady(); on an unloaded handle that
    // waits 60 s and logs an error. Count the calls made once the handle can no longer be ready.
    const waitsOnUnloaded: string[] = [];
    const whenReady = handle.whenReady.bind(handle);
    handle.whenReady = (states, options) => {
      if (!handle.isReady()) waitsOnUnloaded.push(handle.state);
      return whenReady(states, options);
    };
    expect(
      await unloader.unload(handle.documentId, handle, unloader.lastTouched(handle.documentId)),
    ).toBe(true);
    expect(onDisk.repo.handles[handle.documentId]).toBeUndefined();
    // Well past the 100 ms throttle.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waitsOnUnloaded).toEqual([]);
    await onDisk.repo.shutdown();
    await onDisk.storage.whenIdle();
  });
});

describe("a save automerge-repo scheduled before an unload", () => {
  /**
   * Unloads a freshly changed document (its throttled save still pending), loads it again, changes
   * and flushes it, then lets the old save through. Returns every document state storage wrote
   * after the flush, the final heads and the document's handle. Unguarded, it unloads as careful
   * stock automerge-repo code would (flush, detach the save listener, `removeFromCache`); guarded,
   * as the relay does (saveLiveDocumentsOnly, and IdleUnloader, which also frees the old document).
   */
  async function reloadBeforeTheOldSave(guarded: boolean) {
    const storage = await CrashSafeFileStorageAdapter.create(directory, { logger: silentLogger });
    const repo = new Repo({ storage, network: [], saveDebounceRate: 200 });
    const handle = repo.create<Counter>({ values: [] });
    for (let i = 0; i < 20; i += 1) handle.change((doc) => void doc.values.push(i));
    // The old save is held until the reloaded document is flushed, as a slow disk or a busy
    // process may well delay it; unheld, only luck decides whether it lands before or after.
    let saves: ThrottledSaves;
    if (guarded) {
      saveLiveDocumentsOnly(repo);
      const unloader = new IdleUnloader(repo, {
        idleMs: 0,
        logger: silentLogger,
        metrics: new RelayMetrics(),
      });
      saves = new ThrottledSaves(repo, handle, { hold: true });
      const touched = unloader.lastTouched(handle.documentId);
      expect(await unloader.unload(handle.documentId, handle, touched)).toBe(true);
    } else {
      saves = new ThrottledSaves(repo, handle, { hold: true });
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
    await saves.settled();
    await storage.whenIdle();
    const finalHeads = A.getHeads(reloaded.doc()).join();
    await repo.shutdown();
    await storage.whenIdle();
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
    // The unload's save finishes first, and the unload takes the document out of the repo: the
    // moment it used to free it. Only then may the first save go on and read the document.
    storage.held[1]?.();
    await eventually(
      () => repo.handles[handle.documentId] === undefined,
      "the unload to take the document out of the repo",
    );
    storage.held[0]?.();
    await expect(firstSave).resolves.toBeUndefined();
    expect(await unloading).toBe(true);
    await storage.inner.whenIdle();
    expect(await reloadValues(handle)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});

describe("unloading under concurrent writes through a relay", () => {
  const startRelay = relayPerTest();

  it("loses nothing while the relay keeps unloading and reloading the documents being written", async () => {
    const fixture = await startRelay({
      idleUnloadMs: 0,
      idleSweepIntervalMs: 1_000_000,
      ackDelayMs: 10,
    });
    const { relay, adminToken } = fixture;
    const documents = [0, 1, 2].map(() => {
      const writer = fixture.connect({ kind: "admin", name: "alice" }, adminToken) as Repo;
      const handle = writer.create<Counter>({ values: [] });
      return { handle, acks: new DurableAckLog(handle, relay.peerId) };
    });
    const loaded = (handle: DocHandle<Counter>) =>
      relay.loadedDocumentIds().includes(handle.documentId);
    let unloads = 0;
    let settledRounds = 0;
    for (let round = 0; round < 40; round += 1) {
      const seen = documents.map(({ acks }) => acks.acks.length);
      for (const { handle } of documents) handle.change((doc) => void doc.values.push(round));
      if (round % 3 === 0) {
        // A settled round: once the relay has stored this round's value of every document, sweep
        // until none is in memory (a trailing sync message may touch or reload one meanwhile).
        // Only these sweeps unload, so each such round unloads every document at least once.
        await Promise.all(
          documents.map(({ handle, acks }, index) => {
            const heads = handle.heads();
            return acks.waitFor(
              (ack) => acknowledges(ack, handle.doc(), heads),
              `of round ${round} of ${handle.documentId}`,
              { from: seen[index], timeoutMs: 20_000 },
            );
          }),
        );
        await eventually(async () => {
          unloads += await relay.sweepIdleDocuments();
          return documents.every(({ handle }) => !loaded(handle));
        }, `the documents to be unloaded after round ${round}`);
        settledRounds += 1;
      } else {
        // A racing round: sweep as soon as the relay holds the documents again, while this
        // round's changes and acks may still be under way.
        await eventually(
          () => documents.every(({ handle }) => loaded(handle)),
          `the documents to be loaded in round ${round}`,
        );
        unloads += await relay.sweepIdleDocuments();
      }
    }
    expect(unloads).toBeGreaterThanOrEqual(documents.length * settledRounds);

    // A fresh reader on a fresh connection sees every value the writers wrote.
    const reader = fixture.connect({ kind: "admin", name: "alice" }, adminToken);
    // Not connected yet, its finds would fail on their own without asking the relay.
    await connectedTo(reader, relay.peerId);
    const expected = Array.from({ length: 40 }, (_, i) => i);
    for (const { handle } of documents) {
      const atReader = await reader.find<Counter>(handle.url);
      await eventually(
        () => JSON.stringify(atReader.doc().values) === JSON.stringify(expected),
        `all 40 values of ${handle.documentId} at the reader`,
      );
    }
    // And they are on the relay's disk, not only in someone's memory.
    await fixture.close({ keepData: true });
    const stored = join(fixture.dataDirectory, "documents");
    for (const { handle } of documents) {
      expect(await reloadValues(handle, stored)).toEqual(expected);
    }
    await rm(fixture.dataDirectory, { recursive: true, force: true });
  });
});
