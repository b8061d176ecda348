import * as Automerge from "@automerge/automerge";
import { cbor } from "@automerge/automerge-repo/slim";
import { describe, expect, it, vi } from "vitest";
import { freshDocumentId } from "../testing/raw-peer.js";
import { guardFrame } from "./frame-guard.js";

// Only to make Automerge's decoder trap the way it does when its heap is exhausted, which no
// test can bring about for real; every other call goes to the real decoder.
vi.mock("@automerge/automerge", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@automerge/automerge")>();
  return { ...actual, decodeSyncMessage: vi.fn(actual.decodeSyncMessage) };
});

const syncFrame = (data: Uint8Array) =>
  cbor.decode(
    cbor.encode({
      type: "sync",
      senderId: "admin:alice:s1",
      targetId: "relay:r",
      documentId: freshDocumentId(),
      data,
    }),
  );

describe("guardFrame and Automerge's decoder", () => {
  it("refuses sync data Automerge cannot decode as a malformed frame", () => {
    expect(guardFrame(syncFrame(Uint8Array.of(1, 2, 3)))).toEqual({
      closeCode: 1007,
      reason: "malformed-frame",
      detail: "sync message whose data is not an Automerge sync message",
    });
  });

  it("lets a WebAssembly trap through: the process is failing, not the frame", () => {
    vi.mocked(Automerge.decodeSyncMessage).mockImplementationOnce(() => {
      throw new WebAssembly.RuntimeError("unreachable");
    });
    const data = Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState())[1];
    expect(() => guardFrame(syncFrame(data as Uint8Array))).toThrow(WebAssembly.RuntimeError);
  });
});
