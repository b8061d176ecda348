/**
 * Bounded memory under a storm: with room for only a few documents, many documents syncing at
 * once all get stored and acknowledged, the relay never holds more than its limit, and a document
 * unloaded to make room still takes its peer's later changes. With room for many documents but
 * few ops, big documents are held few at a time.
 */
import { stats } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { Cleanup } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DurableAckLog } from "./testing/durable-ack-log.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { fetchMetrics, metricValue } from "./testing/relay-http.js";
import { readStoredDocuments } from "./testing/stored-documents.js";
import { connectClient } from "./testing/sync-client.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

interface Samples {
  values: number[];
}

const MAX_LOADED = 4; // the fleet document, always loaded, takes one

/** Waits for an ack from the relay covering `handle`'s current heads. */
function acknowledged(log: DurableAckLog, handle: DocHandle<unknown>, from = 0) {
  const heads = handle.heads();
  return log.waitFor(
    (ack) => heads.every((head) => ack.heads.includes(head)),
    `covering ${handle.documentId}`,
    { from, timeoutMs: 20_000 },
  );
}

/** A real admin client of `test`'s relay, shut down after the test. */
function adminClient(test: TestRelay) {
  const { repo } = cleanup.add(
    connectClient({
      syncUrl: test.relay.syncUrl,
      token: test.adminToken,
      principal: { kind: "admin", name: "alice" },
      session: "storm",
    }),
    (client) => client.repo.shutdown(),
  );
  return repo;
}

describe("the load budget", () => {
  it("stores and acknowledges 16 documents synced at once with room for 4, never holding more", {
    timeout: 60_000,
  }, async () => {
    const dataDirectory = await cleanup.tempFolder("load-budget");
    const test: TestRelay = cleanup.add(
      await startTestRelay({ dataDirectory, limits: { maxLoadedDocuments: MAX_LOADED } }),
      (started) => started.close({ keepData: true }),
    );
    let mostLoaded = 0;
    const sampler = setInterval(() => {
      mostLoaded = Math.max(mostLoaded, test.relay.loadedDocumentIds().length);
    }, 2);
    cleanup.add(sampler, clearInterval);

    const repo = adminClient(test);
    const documents = Array.from({ length: 16 }, (_, index) => {
      const handle = repo.create<Samples>({ values: [] });
      for (let tick = 0; tick < 50; tick += 1) handle.change((doc) => void doc.values.push(index));
      return { handle, log: new DurableAckLog(handle, test.relay.peerId) };
    });
    await Promise.all(documents.map(({ handle, log }) => acknowledged(log, handle)));

    expect(mostLoaded).toBeLessThanOrEqual(MAX_LOADED);
    const metrics = await fetchMetrics(test.relay.url);
    expect(metricValue(metrics, "outpost_relay_documents_evicted_total")).toBeGreaterThanOrEqual(
      documents.length - MAX_LOADED,
    );
    expect(metricValue(metrics, "outpost_relay_admission_wait_seconds_count")).toBeGreaterThan(0);

    // An unloaded document's peer is still connected: its next change loads it again. Which ones
    // are unloaded now is up to the budget (a trailing sync message can load one back), but with
    // room for 4 of 17, most are.
    const loaded = test.relay.loadedDocumentIds();
    const unloaded = documents.find(({ handle }) => !loaded.includes(handle.documentId));
    if (unloaded === undefined) throw new Error(`all 16 documents are loaded: ${loaded.join()}`);
    const seen = unloaded.log.acks.length;
    unloaded.handle.change((doc) => void doc.values.push(-1));
    await acknowledged(unloaded.log, unloaded.handle, seen);

    clearInterval(sampler);
    expect(mostLoaded).toBeLessThanOrEqual(MAX_LOADED);
    await test.close({ keepData: true });
    const { reports } = await readStoredDocuments({
      directory: `${dataDirectory}/documents`,
      documents: documents.map(({ handle }) => ({ url: handle.url, heads: [...handle.heads()] })),
    });
    expect(reports.filter((report) => !report.containsHeads)).toEqual([]);
  });
});

describe("the load budget by ops", () => {
  it("holds big documents within max_loaded_ops (plus those still arriving), however many fit by count", {
    timeout: 60_000,
  }, async () => {
    const maxLoadedOps = 1_000;
    const maxSyncing = 2;
    const opsEach = 400;
    const dataDirectory = await cleanup.tempFolder("load-budget-ops");
    const test: TestRelay = cleanup.add(
      await startTestRelay({
        dataDirectory,
        limits: { maxLoadedDocuments: 100, maxLoadedOps, maxSyncingDocuments: maxSyncing },
      }),
      (started) => started.close(),
    );
    const repo = adminClient(test);
    const documents = Array.from({ length: 12 }, (_, index) => {
      const handle = repo.create<Samples>({ values: [] });
      handle.change((doc) => {
        for (let value = 0; value < opsEach; value += 1) doc.values.push(index);
      });
      return { handle, log: new DurableAckLog(handle, test.relay.peerId) };
    });
    const opsOf = new Map(
      documents.map(({ handle }) => [handle.documentId as string, stats(handle.doc()).numOps]),
    );
    let mostOps = 0;
    const sampler = setInterval(() => {
      const held = test.relay
        .loadedDocumentIds()
        .reduce((sum, documentId) => sum + (opsOf.get(documentId) ?? 0), 0);
      mostOps = Math.max(mostOps, held);
    }, 2);
    cleanup.add(sampler, clearInterval);
    await Promise.all(documents.map(({ handle, log }) => acknowledged(log, handle)));
    clearInterval(sampler);

    // A document's size is known once its content arrives: up to maxSyncing may pass the bound.
    // By count alone all twelve (over 4,800 ops) would have stayed.
    const largest = Math.max(...opsOf.values());
    expect(mostOps).toBeLessThanOrEqual(maxLoadedOps + maxSyncing * largest);
    const metrics = await fetchMetrics(test.relay.url);
    expect(metricValue(metrics, "outpost_relay_documents_evicted_total")).toBeGreaterThan(0);
  });
});
