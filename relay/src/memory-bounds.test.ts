/**
 * One device cannot make the relay hold or compute without bound. Each case
 * is what a device token alone could do to a real relay on loopback before the bounds:
 *
 * - one change carrying a 4 MiB string (4 million text ops): the relay grew by ~413 MB and
 *   `/healthz` stalled ~5 s for everyone while it applied it;
 * - a 4 KB saved-document chunk that inflates to that same 4 MiB of text (a compression bomb);
 * - changes that together grow one document past any size;
 * - a burst of small frames that are each costly to apply, applied back to back while nobody
 *   else was served.
 *
 * The first two run against the default limits; the fixtures are in testdata (see its README).
 */
import { readFile } from "node:fs/promises";
import { next as A } from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import type { DeviceDoc } from "@outpost/shared-model";
import { peerIdFor } from "@outpost/shared-model";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { RelayOptions } from "./relay-options.js";
import { deflatedChange, inflatedChange } from "./testing/change-chunks.js";
import type { TestDevice } from "./testing/clients.js";
import { connectedTo, enrollDevice } from "./testing/clients.js";
import { RawPeer } from "./testing/raw-peer.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { fetchHealth, fetchMetrics, metricValue, rejectionCount } from "./testing/relay-http.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

const testdata = (name: string) => readFile(new URL(`./testdata/${name}`, import.meta.url));

interface World {
  relay: TestRelay;
  device: TestDevice;
  /** A second socket of the same device, sending what the test gives it. */
  raw: RawPeer;
  rawPeerId: string;
  /** The DeviceDoc as the relay holds it, as an admin's client sees it (see relayCopy). */
  adminCopy?: DocHandle<NotedDeviceDoc>;
}

type NotedDeviceDoc = DeviceDoc & { note?: string };

async function start(limits: RelayOptions["limits"] = {}): Promise<World> {
  const relay = cleanup.add(await startTestRelay({ limits }), (test) => test.close());
  const device = await enrollDevice(relay.relay, "laptop-17");
  cleanup.add(device, (enrolled) => enrolled.repo.shutdown());
  const raw = cleanup.add(await RawPeer.open(relay.relay.syncUrl, device.token), (peer) =>
    peer.close(),
  );
  const rawPeerId = peerIdFor({ kind: "device", deviceId: device.deviceId }, "raw");
  await raw.join(rawPeerId);
  return { relay, device, raw, rawPeerId };
}

/** A sync message from `world.raw` about the device's own DeviceDoc, carrying `changes`. */
function sendSync(world: World, changes: Uint8Array[], heads: string[] = []): void {
  world.raw.sendCbor({
    type: "sync",
    senderId: world.rawPeerId,
    targetId: world.relay.relay.peerId,
    documentId: world.device.deviceDoc.documentId,
    data: A.encodeSyncMessage({ heads, need: [], have: [], changes }),
  });
}

/** The DeviceDoc as the relay holds it, through an admin client that keeps syncing it. */
async function relayCopy(world: World): Promise<DocHandle<NotedDeviceDoc>> {
  if (world.adminCopy === undefined) {
    const admin = world.relay.connect({ kind: "admin", name: "alice" }, world.relay.adminToken);
    await connectedTo(admin, world.relay.relay.peerId);
    world.adminCopy = await admin.find<NotedDeviceDoc>(world.device.deviceDoc.url);
  }
  return world.adminCopy;
}

/** The relay has the DeviceDoc as the device made it (its first sync is stored). */
async function deviceDocStored(world: World): Promise<void> {
  const handle = await relayCopy(world);
  expect(handle.doc().deviceId).toBe(world.device.deviceId);
}

/** The change `base` → `grown`, as a plain (type 1) chunk: the deflated fixture inflated. */
async function fourMibStringChange(): Promise<{ base: Uint8Array; change: Uint8Array }> {
  const base = A.getAllChanges(A.load(await testdata("four-mib-text.base.automerge")));
  const deflated = await testdata("four-mib-text.change");
  return { base: base[0] as Uint8Array, change: inflatedChange(deflated) };
}

describe("memory bounds", () => {
  it("refuses one change carrying a 4 MiB string whole, before applying any of it", async () => {
    const world = await start();
    await deviceDocStored(world);
    const { base, change } = await fourMibStringChange();
    expect(change.byteLength).toBeGreaterThan(4 * 1024 * 1024);

    sendSync(world, [base, change]);

    const closed = await world.raw.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toContain(world.device.deviceDoc.documentId);
    expect(closed.reason).toMatch(/4194304 ops, over max_change_ops \(250000\)/);
    expect(await rejectionCount(world.relay.relay.url, "change-too-large")).toBe(1);
    // Refused whole: not even the small change that came with it was applied.
    const copy = await relayCopy(world);
    expect(copy.doc().note).toBeUndefined();
    expect((await fetchHealth(world.relay.relay.url)).status).toBe("ok");
  }, 60_000);

  it("refuses a 4 KB document chunk that inflates to 4 MiB of text", async () => {
    const world = await start();
    await deviceDocStored(world);
    const bomb = new Uint8Array(await testdata("four-mib-text.automerge"));
    expect(bomb.byteLength).toBeLessThan(8 * 1024);

    sendSync(world, [bomb]);

    const closed = await world.raw.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toContain(world.device.deviceDoc.documentId);
    expect(closed.reason).toMatch(/over max_sync_message_ops \(2000000\)/);
    expect(await rejectionCount(world.relay.relay.url, "sync-message-too-large")).toBe(1);
    expect((await relayCopy(world)).doc().note).toBeUndefined();
  }, 60_000);

  it("refuses a device's message that would grow its document past max_document_ops", async () => {
    const world = await start({ maxDocumentOps: 30_000 });
    await deviceDocStored(world);
    let doc = A.clone(world.device.deviceDoc.doc() as A.Doc<NotedDeviceDoc>);
    const history = A.getAllChanges(doc);
    doc = A.change(doc, (draft) => {
      draft.note = "a".repeat(20_000);
    });
    const first = A.getLastLocalChange(doc) as Uint8Array;
    const firstHeads = A.getHeads(doc);
    doc = A.change(doc, (draft) => {
      A.splice(draft, ["note"], 0, 0, "b".repeat(20_000));
    });
    const second = A.getLastLocalChange(doc) as Uint8Array;

    sendSync(world, [...history, first], firstHeads);
    await eventually(
      async () => (await relayCopy(world)).doc().note?.length === 20_000,
      "the first 20,000 characters to reach the relay",
      20_000,
    );
    sendSync(world, [second], A.getHeads(doc));

    const closed = await world.raw.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toMatch(/would hold \d+ ops, over max_document_ops \(30000\)/);
    expect(await rejectionCount(world.relay.relay.url, "document-too-large")).toBe(1);
    expect((await relayCopy(world)).doc().note).toBe("a".repeat(20_000));
  }, 60_000);

  it("serves others between one peer's costly messages and pauses it, losing none", async () => {
    // A budget this small is spent by the first message: the peer is paused after each one.
    const world = await start({ peerSyncMsPerSecond: 100, peerSyncBurstMs: 10 });
    await deviceDocStored(world);
    let doc = A.change(A.clone(world.device.deviceDoc.doc() as A.Doc<NotedDeviceDoc>), (draft) => {
      draft.note = "";
    });
    const frames: Uint8Array[][] = [A.getAllChanges(doc)];
    for (let index = 0; index < 8; index += 1) {
      doc = A.change(doc, (draft) => {
        A.splice(draft, ["note"], 0, 0, String(index).repeat(20_000));
      });
      // Deflated, each is a few hundred bytes on the wire and 20,000 ops to apply.
      frames.push([deflatedChange(A.getLastLocalChange(doc) as Uint8Array)]);
    }
    const heads = A.getHeads(doc);
    for (const changes of frames) sendSync(world, changes, heads);

    // An HTTP request answered while the peer still has messages waiting its turn.
    await eventually(
      async () => {
        const metrics = await fetchMetrics(world.relay.relay.url);
        return metricValue(metrics, "outpost_relay_sync_messages_queued") > 0;
      },
      "/metrics to be answered while the flooding peer still has messages queued",
      20_000,
    );
    expect((await fetchHealth(world.relay.relay.url)).status).toBe("ok");
    const metrics = await fetchMetrics(world.relay.relay.url);
    expect(metricValue(metrics, "outpost_relay_peer_pauses_total")).toBeGreaterThan(0);

    // Deferred, not dropped: every change is applied, and the socket lives.
    await eventually(
      () => world.raw.received.some((message) => relayHeadsOf(message, heads)),
      "the relay to answer with the heads of the last change",
      60_000,
    );
    expect(world.raw.isOpen()).toBe(true);
    expect(await rejectionCount(world.relay.relay.url, "sync-message-too-large")).toBe(0);
  }, 90_000);
});

/** True for a relay sync message whose heads are `heads`. */
function relayHeadsOf(message: unknown, heads: string[]): boolean {
  const sync = message as { type?: string; data?: Uint8Array };
  if (sync.type !== "sync" || !(sync.data instanceof Uint8Array)) return false;
  const theirs = A.decodeSyncMessage(sync.data).heads;
  return theirs.length === heads.length && heads.every((head) => theirs.includes(head));
}
