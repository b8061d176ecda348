/**
 * A device that leaves in the middle of sending a new document (its link cut after the first sync
 * message) must leave nothing behind that ends the relay's process. automerge-repo 2.5.6 waits for
 * such a document in a promise nobody awaits, and after the handle's 60 s timeout that promise
 * rejected unhandled: `relay serve` logged "unhandled rejection" for an everyday event, and a
 * test running a relay in-process failed (patches/@automerge+automerge-repo+2.5.6.patch).
 *
 * The relay's repo is driven through a scripted network adapter, with its timers faked, so the
 * 60 s pass in an instant; the part under test is automerge-repo's own synchronizer.
 */
import * as A from "@automerge/automerge";
import {
  generateAutomergeUrl,
  type PeerId,
  parseAutomergeUrl,
  Repo,
} from "@automerge/automerge-repo";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScriptedNetwork } from "../testing/scripted-network.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("a peer that leaves mid-sync of a new document", () => {
  it("leaves no unhandled rejection once the document's wait times out", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const network = new ScriptedNetwork();
    // Configured as the relay's repo is: it announces nothing and answers what peers ask.
    const relay = new Repo({
      network: [network],
      peerId: "relay" as PeerId,
      shareConfig: { announce: async () => false, access: async () => true },
    });
    try {
      const device = "device:laptop-1" as PeerId;
      network.emit("peer-candidate", { peerId: device, peerMetadata: {} });
      const [, data] = A.generateSyncMessage(A.from({ day: "2026-12-03" }), A.initSyncState());
      network.emit("message", {
        type: "sync",
        senderId: device,
        targetId: "relay" as PeerId,
        documentId: parseAutomergeUrl(generateAutomergeUrl()).documentId,
        data: data as Uint8Array,
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(network.sent.map((message) => message.type)).toContain("sync"); // it answered
      network.emit("peer-disconnected", { peerId: device });

      await vi.advanceTimersByTimeAsync(61_000); // past DocHandle's 60 s wait
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 50)); // rejections are reported a tick later
      expect(rejections).toEqual([]);
    } finally {
      process.off("unhandledRejection", onRejection);
      vi.useRealTimers();
      await relay.shutdown();
    }
  });
});
