/**
 * Claims on documents that do not exist were permanent. 1,000 `request` frames
 * for random IDs wrote 1,000 fsynced ownership lines that were never released, counted against
 * the device's document limit and forced evictions of other documents. A device now owns a
 * document only once it sends that document's content; until then it holds a bounded reservation
 * in memory, and claims left without content (from before the fix, or by a crash) are released.
 */
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { next as A } from "@automerge/automerge";
import { peerIdFor } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { enrollDevice } from "./testing/clients.js";
import { freshDocumentId, RawPeer } from "./testing/raw-peer.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { fetchHealth, fetchMetrics, metricValue, rejectionCount } from "./testing/relay-http.js";

const fixtures: TestRelay[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function started(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const fixture = await startTestRelay(options);
  fixtures.push(fixture);
  return fixture;
}

/**
 * The first sync message of a peer with a document of its own: its heads, no changes yet (they
 * follow the relay's answer). Sent as a request, it is what a peer sends for a document it lacks.
 */
const firstSync = A.generateSyncMessage(
  A.from({ day: "2026-12-03" }),
  A.initSyncState(),
)[1] as Uint8Array;

/** A device's raw socket, joined under its own peer ID. */
async function rawDevice(relay: TestRelay["relay"], deviceId: string, token: string) {
  const peer = await RawPeer.open(relay.syncUrl, token);
  const peerId = peerIdFor({ kind: "device", deviceId: deviceId as never }, "raw");
  await peer.join(peerId);
  const send = (type: "request" | "sync", documentId: string) =>
    peer.sendCbor({ type, senderId: peerId, targetId: relay.peerId, documentId, data: firstSync });
  return { peer, send };
}

function answersOfType(peer: RawPeer, type: string): number {
  return peer.received.filter((message) => (message as { type?: string }).type === type).length;
}

async function ownershipLines(dataDirectory: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dataDirectory, "ownership.jsonl"), "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("claims", () => {
  it("asking for documents that do not exist claims, writes and evicts nothing", {
    timeout: 60_000,
  }, async () => {
    const { relay, dataDirectory } = await started({ limits: { maxLoadedDocuments: 8 } });
    const device = await enrollDevice(relay, "mallory");
    const raw = await rawDevice(relay, device.deviceId, device.token);
    for (let index = 0; index < 300; index += 1) raw.send("request", freshDocumentId());
    await eventually(
      () => answersOfType(raw.peer, "doc-unavailable") === 300,
      "300 answers of doc-unavailable",
      30_000,
    );
    const owned = await ownershipLines(dataDirectory);
    expect(owned.map((line) => line.documentId)).toEqual([device.deviceDoc.documentId]);
    expect((await fetchHealth(relay.url)).ownedDocuments).toBe(1);
    const metrics = await fetchMetrics(relay.url);
    expect(metricValue(metrics, "outpost_relay_documents_evicted_total")).toBe(0);
    expect(await rejectionCount(relay.url, "access-denied")).toBe(300);
    await raw.peer.close();
    await device.repo.shutdown();
  });

  it("a sync without content holds a reservation: bounded, never written, gone on disconnect", {
    timeout: 60_000,
  }, async () => {
    const { relay, dataDirectory } = await started({
      limits: { maxPendingDocumentsPerDevice: 5 },
    });
    const device = await enrollDevice(relay, "mallory");
    const first = await rawDevice(relay, device.deviceId, device.token);
    for (let index = 0; index < 8; index += 1) first.send("sync", freshDocumentId());
    await eventually(
      () => answersOfType(first.peer, "doc-unavailable") === 3,
      "the three syncs over the limit refused",
      30_000,
    );
    expect(await rejectionCount(relay.url, "document-limit")).toBe(3);
    expect((await ownershipLines(dataDirectory)).length).toBe(1);
    await first.peer.close();

    // The reservations went with the connection: a new one may start five more.
    const rejectedBefore = await rejectionCount(relay.url, "document-limit");
    const second = await rawDevice(relay, device.deviceId, device.token);
    await eventually(
      async () => (await fetchHealth(relay.url)).connections === 2,
      "the first raw socket gone",
      30_000,
    );
    for (let index = 0; index < 5; index += 1) second.send("sync", freshDocumentId());
    await eventually(() => answersOfType(second.peer, "sync") >= 5, "five sync answers", 30_000);
    expect(await rejectionCount(relay.url, "document-limit")).toBe(rejectedBefore);
    expect((await ownershipLines(dataDirectory)).length).toBe(1);
    await second.peer.close();
    await device.repo.shutdown();
  });

  it("claims left without content are released, and stop counting against the limit", {
    timeout: 60_000,
  }, async () => {
    const first = await started({ limits: { maxDocumentsPerDevice: 3 } });
    const device = await enrollDevice(first.relay, "laptop-a");
    // A document with content, claimed the normal way: it must stay the device's.
    const day = device.repo.create({ day: "2026-12-01" });
    await eventually(
      async () => (await fetchHealth(first.relay.url)).ownedDocuments === 2,
      "the day document claimed",
      30_000,
    );
    await device.repo.shutdown();
    await first.relay.stop();
    fixtures.splice(fixtures.indexOf(first), 1);
    // What a relay before the fix wrote for documents the device only asked about, an hour ago.
    const stale = Array.from({ length: 20 }, () => freshDocumentId());
    const at = Date.now() - 60 * 60_000;
    await appendFile(
      join(first.dataDirectory, "ownership.jsonl"),
      stale
        .map((documentId) => JSON.stringify({ op: "owned", at, documentId, deviceId: "laptop-a" }))
        .join("\n")
        .concat("\n"),
    );

    const second = await started({
      dataDirectory: first.dataDirectory,
      limits: { maxDocumentsPerDevice: 3 },
      emptyClaimGraceMs: 60_000,
    });
    await second.relay.sweepEmptyClaims();
    expect((await fetchHealth(second.relay.url)).ownedDocuments).toBe(2);
    const released = (await ownershipLines(first.dataDirectory)).filter(
      (line) => line.op === "released",
    );
    expect(released.map((line) => line.documentId).sort()).toEqual([...stale].sort());
    expect(await fetchMetrics(second.relay.url)).toMatch(/outpost_relay_claims_released_total 20/);

    // Within its limit again, the device claims a new document; the old ones are still its own.
    const again = second.connect({ kind: "device", deviceId: device.deviceId }, device.token);
    const next = again.create({ day: "2026-12-02" });
    await eventually(
      async () => (await fetchHealth(second.relay.url)).ownedDocuments === 3,
      "the new day document claimed",
      30_000,
    );
    const owned = (await ownershipLines(first.dataDirectory)).filter((line) => line.op === "owned");
    expect(owned.map((line) => line.documentId)).toContain(next.documentId);
    expect(owned.map((line) => line.documentId)).toContain(day.documentId);
    expect(await second.relay.sweepEmptyClaims()).toBe(0);
  });
});
