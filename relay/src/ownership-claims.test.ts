/**
 * Ownership is claimed by the device that syncs a document first (ARCHITECTURE.md, "Access"), not
 * by whichever device happens to be connected when the relay weighs whom to share a document with.
 *
 * automerge-repo calls `shareConfig.access(peer, document)` in two situations: when `peer` sends
 * a message about `document`, and on its own, for every connected peer and loaded document, to
 * decide whom to sync generously (`CollectionSynchronizer.#shouldShare`, on every new peer and
 * every newly loaded document). Only the first may claim a document or count as a refusal; when
 * the relay treated both alike, the second claimed documents nobody owned for bystanders and
 * logged and counted refusals of requests nobody made (fixed in 2ad5f77; these are its regression
 * tests).
 */
import { next as A } from "@automerge/automerge";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { Cleanup, eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo } from "./testing/clients.js";
import { DurableAckLog } from "./testing/durable-ack-log.js";
import type { RelayProcess } from "./testing/relay-child.js";
import { startRelayProcess, TEST_ADMIN } from "./testing/relay-child.js";
import { fetchHealth, rejectionCount } from "./testing/relay-http.js";
import type { TestAgent } from "./testing/sync-client.js";
import { connectClient, startAgent } from "./testing/sync-client.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.release());

async function startRelay(): Promise<RelayProcess> {
  const dataDirectory = await cleanup.tempFolder("ownership");
  const relay = await startRelayProcess({ dataDirectory, port: 0 });
  return cleanup.add(relay, (child) => child.stop());
}

/**
 * An enrolled, connected device; `connections` is the relay's socket count once it is in. `acks`
 * records the relay's acknowledgements of its DeviceDoc: once one arrives, the relay has
 * processed the device's connection and loaded, stored and weighed sharing that document.
 */
async function connectedAgent(
  relay: RelayProcess,
  deviceId: string,
  connections: number,
): Promise<TestAgent<unknown> & { acks: DurableAckLog }> {
  const agent = await startAgent<unknown>(relay.info, { deviceId, initial: { deviceId } });
  cleanup.add(agent, () => agent.repo.shutdown());
  // Listening before the connection is up, so no ack can be missed.
  const acks = new DurableAckLog(agent.handle, relay.info.peerId);
  await eventually(
    async () => (await fetchHealth(relay.info.url)).connections === connections,
    `${deviceId} to connect`,
  );
  return { ...agent, acks };
}

describe("ownership claims", () => {
  // The bug: AccessPolicy.access claimed an unowned document for any device it was asked about.
  // When an admin's dashboard opened a device's new day document before the device had synced
  // it, the relay held an `unavailable` handle and weighed sharing it with every connected device
  // (and every device connecting later): the first such bystander became the owner for good, the
  // real owner's sync of its own day document was refused, and its data never reached the relay.
  it("a device never owns a document it did not sync, even one an admin asked for", {
    // A relay child started through tsx, then four clients, on a possibly loaded machine.
    timeout: 60_000,
  }, async () => {
    const relay = await startRelay();
    await connectedAgent(relay, "laptop-b", 1);
    const owner = await connectedAgent(relay, "laptop-a", 2);
    const admin = cleanup.add(
      connectClient({
        syncUrl: relay.info.syncUrl,
        token: relay.info.adminToken ?? "",
        principal: { kind: "admin", name: TEST_ADMIN },
        session: "dashboard",
      }),
      (client) => client.repo.shutdown(),
    );
    // Not connected yet, the admin's find would fail on its own, and the relay never hear of it.
    await connectedTo(admin.repo, relay.info.peerId);
    // The dashboard asks for laptop-a's day document (its URL is already in laptop-a's DeviceDoc)
    // before laptop-a has synced the document itself.
    const dayUrl = generateAutomergeUrl();
    await expect(admin.repo.find(dayUrl)).rejects.toThrow(/unavailable/);
    await connectedAgent(relay, "laptop-c", 4);

    const day = owner.repo.import<{ day: string }>(A.save(A.from({ day: "2025-06-01" })), {
      docId: parseAutomergeUrl(dayUrl).documentId,
    });
    const acks = new DurableAckLog(day, relay.info.peerId);
    // With the bug the sync is refused and no ack ever comes: the wait only bounds a failure.
    const stored = await acks.waitFor(() => true, "of laptop-a's day document", {
      timeoutMs: 20_000,
    });
    expect(stored.heads).toEqual(day.heads());
  });

  // The bug: the same evaluations logged a warning and counted `access-denied` for every
  // connected device and every loaded document it did not own, though it asked for nothing: each
  // agent connecting produced one refusal per loaded document (the FleetDoc, other devices'
  // documents), so the counter and the warn log grew with devices × documents.
  it("a device that asks for nothing is refused nothing", { timeout: 60_000 }, async () => {
    const relay = await startRelay();
    const first = await connectedAgent(relay, "laptop-a", 1);
    // The relay weighs sharing when a peer joins and when a document loads, both before it stores
    // and acknowledges the device's own DeviceDoc: after that ack, laptop-a's share is counted.
    await first.acks.waitFor(() => true, "of laptop-a's DeviceDoc", { timeoutMs: 20_000 });
    const before = await rejectionCount(relay.info.url, "access-denied");
    const second = await connectedAgent(relay, "laptop-b", 2);
    // The same for laptop-b: joining, it is weighed for the FleetDoc and laptop-a's DeviceDoc, and
    // laptop-a for laptop-b's once that loads; all of it done by the ack of laptop-b's DeviceDoc.
    await second.acks.waitFor(() => true, "of laptop-b's DeviceDoc", { timeoutMs: 20_000 });
    expect(await rejectionCount(relay.info.url, "access-denied")).toBe(before);
  });
});
