/**
 * After an out of memory: once Automerge's heap ran out, the relay died, and
 * with the clients syncing the same document again after each restart it would die again and
 * again. A crash now records the documents the relay was working on; one named by two crashes is
 * quarantined at the next start: refused to everyone, kept on disk, and the relay stays up.
 *
 * A real out-of-memory takes gigabytes and minutes, and the size limits now keep devices from
 * causing one: the relay's test-only `trapOnDocumentId` makes its work on one document fail the
 * way an Automerge trap does (a WebAssembly.RuntimeError thrown while applying a message).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { next as A } from "@automerge/automerge";
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import { peerIdFor } from "@outpost/shared-model";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { freshDocumentId, RawPeer } from "./testing/raw-peer.js";
import type { RelayProcess } from "./testing/relay-child.js";
import { startRelayProcess } from "./testing/relay-child.js";
import { enrollDeviceOverHttp, fetchMetrics, metricValue } from "./testing/relay-http.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

const firstSync = A.generateSyncMessage(A.from({ day: "2026-12-03" }), A.initSyncState())[1];

async function syncAs(relay: RelayProcess, token: string, documentId: string): Promise<RawPeer> {
  const peer = await RawPeer.open(relay.info.syncUrl, token);
  const peerId = peerIdFor({ kind: "device", deviceId: "laptop-a" as never }, "raw");
  await peer.join(peerId);
  peer.sendCbor({
    type: "sync",
    senderId: peerId,
    targetId: relay.info.peerId,
    documentId,
    data: firstSync,
  });
  return peer;
}

describe("a document that crashes the relay", () => {
  it("is quarantined after the second crash, and the relay stays up", {
    timeout: 120_000,
  }, async () => {
    const dataDirectory = await cleanup.tempFolder("crash-loop");
    const first = cleanup.add(await startRelayProcess({ dataDirectory, port: 0 }), (relay) =>
      relay.stop(),
    );
    const token = await enrollDeviceOverHttp(first.info.url, {
      enrollmentSecret: first.info.enrollmentSecret,
      deviceId: "laptop-a",
      hostname: "laptop-a",
      deviceDocUrl: generateAutomergeUrl(),
    });
    await first.stop();
    const poison = freshDocumentId();

    for (let crash = 1; crash <= 2; crash += 1) {
      const relay = cleanup.add(
        await startRelayProcess({ dataDirectory, port: 0, trapOnDocumentId: poison }),
        (child) => child.kill(),
      );
      await syncAs(relay, token, poison);
      const exit = await relay.exited;
      expect(exit.code).not.toBe(0);
      const records = (await readFile(join(dataDirectory, "crash-suspects.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { documents: string[] });
      expect(records).toHaveLength(crash);
      expect(records.at(-1)?.documents).toEqual([poison]);
    }

    const third = cleanup.add(
      await startRelayProcess({ dataDirectory, port: 0, trapOnDocumentId: poison }),
      (child) => child.stop(),
    );
    const refused = await syncAs(third, token, poison);
    await eventually(
      () =>
        refused.received.some(
          (message) => (message as { type?: string }).type === "doc-unavailable",
        ),
      "the quarantined document refused",
      30_000,
    );
    // Another document still syncs: the relay answers its first sync.
    const other = await syncAs(third, token, freshDocumentId());
    await eventually(
      () => other.received.some((message) => (message as { type?: string }).type === "sync"),
      "an answer for another document",
      30_000,
    );
    expect(third.isAlive()).toBe(true);
    const metrics = await fetchMetrics(third.info.url);
    expect(metricValue(metrics, "outpost_relay_documents_quarantined")).toBe(1);
    expect(
      metricValue(metrics, 'outpost_relay_rejections_total{reason="document-quarantined"}'),
    ).toBe(1);
    await refused.close();
    await other.close();
  });
});
