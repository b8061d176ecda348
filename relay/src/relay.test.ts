import type { DocHandle } from "@automerge/automerge-repo";
import type { StoredHeadsMessage } from "@outpost/shared-model";
import { isStoredHeadsMessage } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { relayPerTest } from "./testing/relay-fixture.js";

const startRelay = relayPerTest();

function nextStoredHeads(
  handle: DocHandle<unknown>,
  relayPeerId: string,
): Promise<StoredHeadsMessage> {
  return new Promise((resolve) => {
    handle.on("ephemeral-message", ({ message, senderId }) => {
      if (senderId === relayPeerId && isStoredHeadsMessage(message)) resolve(message);
    });
  });
}

describe("relay", () => {
  it("an admin syncs a document and receives the durable acknowledgement of its heads", async () => {
    const fixture = await startRelay();
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    const handle = admin.create<{ notes: string[] }>({ notes: ["hello"] });
    const ack = await nextStoredHeads(handle, fixture.relay.peerId);
    expect(ack.heads).toEqual(handle.heads());
    expect(ack.documentId).toBe(handle.documentId);
  });

  it("keeps acknowledging a document that never stops changing, at most a second apart", {
    timeout: 60_000,
  }, async () => {
    // The ack waits for 600 ms of quiet, which this writer never leaves: only the cap can ack.
    const fixture = await startRelay({ ackDelayMs: 600 });
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    const handle = admin.create<{ ticks: number }>({ ticks: 0 });
    let acks = 0;
    handle.on("ephemeral-message", ({ message, senderId }) => {
      if (senderId === fixture.relay.peerId && isStoredHeadsMessage(message)) acks += 1;
    });
    // A change every 20 ms until the relay has acked twice; how long that takes is the relay's
    // and the machine's business. Without the cap no ack comes at all, so the bound on the
    // number of changes only turns a hang into a clear failure.
    const MAX_TICKS = 1_500;
    for (let tick = 1; acks < 2; tick += 1) {
      if (tick > MAX_TICKS) throw new Error(`${acks} acks in ${MAX_TICKS} changes 20 ms apart`);
      handle.change((doc) => {
        doc.ticks = tick;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(acks).toBeGreaterThanOrEqual(2);
  });
});
