/**
 * DocumentSizes counts what is under way, so a burst of messages cannot each be measured against
 * the same old size, and forgets what will never be applied.
 */
import { describe, expect, it } from "vitest";
import { DocumentSizes } from "./document-sizes.js";

function sizes(loaded: Map<string, number>, now = { ms: 0 }): DocumentSizes {
  return new DocumentSizes({
    currentOps: (documentId) => loaded.get(documentId),
    staleAfterMs: 1_000,
    now: () => now.ms,
  });
}

describe("DocumentSizes", () => {
  it("adds the messages handed on to the loaded size until each is applied", () => {
    const loaded = new Map([["doc", 100]]);
    const estimate = sizes(loaded);
    estimate.handedOn("doc", "peer-a", 50);
    estimate.handedOn("doc", "peer-a", 0);
    estimate.handedOn("doc", "peer-b", 30);
    expect(estimate.estimate("doc")).toBe(180);
    estimate.applied("doc", "peer-a", 100);
    loaded.set("doc", 150);
    expect(estimate.estimate("doc")).toBe(180);
    // The empty message was peer-a's second: applying it leaves peer-b's under way.
    estimate.applied("doc", "peer-a", 150);
    expect(estimate.estimate("doc")).toBe(180);
    estimate.applied("doc", "peer-b", 150);
    loaded.set("doc", 180);
    expect(estimate.estimate("doc")).toBe(180);
  });

  it("keeps the last known size of a document that is not loaded", () => {
    const loaded = new Map([["doc", 500]]);
    const estimate = sizes(loaded);
    expect(estimate.estimate("doc")).toBe(500);
    loaded.delete("doc");
    estimate.handedOn("doc", "peer-a", 10);
    expect(estimate.estimate("doc")).toBe(510);
    expect(estimate.estimate("never-seen")).toBe(0);
  });

  it("forgets messages of a peer that left and messages never applied", () => {
    const now = { ms: 0 };
    const estimate = sizes(new Map(), now);
    estimate.handedOn("doc", "gone", 40);
    estimate.handedOn("doc", "denied", 60);
    estimate.peerLeft("gone");
    expect(estimate.estimate("doc")).toBe(60);
    now.ms = 1_001;
    expect(estimate.estimate("doc")).toBe(0);
  });
});
