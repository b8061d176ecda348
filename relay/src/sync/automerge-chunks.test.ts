/**
 * measureChunks reads what Automerge would hold from chunk headers and column run lengths alone:
 * its op counts must be Automerge's own, for documents and changes of every kind of op.
 */
import { next as A } from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { deflatedChange as deflated } from "../testing/change-chunks.js";
import { InflationCapExceeded, measureChunks } from "./automerge-chunks.js";
import { MalformedChunk } from "./byte-reader.js";

const NO_CAP = 1 << 30;

/** A document with maps, lists, text with marks, counters, every scalar, deletes and a merge. */
function mixedDocument(): A.Doc<Record<string, unknown>> {
  let doc = A.from<Record<string, unknown>>({
    text: "hello world",
    list: [1, 2, 3],
    map: { a: 1, b: "x" },
    counter: new A.Counter(1),
  });
  doc = A.change(doc, (draft) => {
    (draft.counter as A.Counter).increment(5);
    (draft.list as unknown[]).splice(1, 1);
    (draft.list as unknown[]).push({ deep: [1, 2] });
    A.splice(draft, ["text"], 2, 3, "ZZZ");
    delete (draft.map as Record<string, unknown>).a;
    Object.assign(draft, {
      immutable: new A.ImmutableString("as one op"),
      float: 1.5,
      negative: -7,
      big: 2 ** 40,
      bytes: new Uint8Array([1, 2, 3]),
      nothing: null,
      flag: true,
      date: new Date(0),
    });
    A.mark(draft, ["text"], { start: 0, end: 5, expand: "both" }, "bold", true);
  });
  let other = A.clone(doc, { actor: "aabbccdd" });
  other = A.change(other, (draft) => {
    (draft.list as unknown[]).push(99);
    A.splice(draft, ["text"], 0, 0, "concurrent ");
  });
  doc = A.change(doc, (draft) => {
    A.splice(draft, ["text"], 0, 4);
  });
  return A.merge(doc, other);
}

describe("measureChunks", () => {
  it("counts a saved document's ops as Automerge does", () => {
    const doc = mixedDocument();
    const measured = measureChunks(A.save(doc), NO_CAP);
    expect(measured).toMatchObject({ documents: 1, changes: 0, ops: A.stats(doc).numOps });
  });

  it("counts each change's ops as Automerge decodes them, plain or deflated", () => {
    for (const change of A.getAllChanges(mixedDocument())) {
      const ops = A.decodeChange(change).ops.length;
      expect(measureChunks(change, NO_CAP)).toMatchObject({
        changes: 1,
        ops,
        largestChangeOps: ops,
      });
      expect(measureChunks(deflated(change), NO_CAP).ops).toBe(ops);
    }
  });

  it("adds up chunks concatenated in one entry, as Automerge accepts them", () => {
    const [first, second] = A.getAllChanges(mixedDocument()) as [Uint8Array, Uint8Array];
    const measured = measureChunks(Buffer.concat([first, second]), NO_CAP);
    expect(measured.changes).toBe(2);
    expect(measured.ops).toBe(A.decodeChange(first).ops.length + A.decodeChange(second).ops.length);
  });

  it("counts a long run of text ops from a few bytes of columns", () => {
    const doc = A.change(A.from({ note: "" }), (draft) => {
      A.splice(draft, ["note"], 0, 0, "x".repeat(100_000));
    });
    const saved = A.save(doc);
    expect(saved.byteLength).toBeLessThan(2_000);
    expect(measureChunks(saved, NO_CAP).ops).toBe(A.stats(doc).numOps);
  });

  it("stops inflating at the cap", () => {
    const doc = A.from({ note: "y".repeat(200_000) });
    expect(() => measureChunks(A.save(doc), 100_000)).toThrow(InflationCapExceeded);
    const change = A.getAllChanges(doc)[0] as Uint8Array;
    expect(() => measureChunks(deflated(change), 100_000)).toThrow(InflationCapExceeded);
  });

  it("refuses bytes that are not chunks it can measure", () => {
    const change = A.getAllChanges(mixedDocument())[0] as Uint8Array;
    const bundle = Uint8Array.from(change);
    bundle[8] = 3; // a bundle: automerge-repo clients never send one
    for (const bytes of [
      new Uint8Array(0),
      Uint8Array.from([1, 2, 3, 4, 5]),
      change.subarray(0, change.byteLength - 1),
      Buffer.concat([change, Uint8Array.from([1, 2, 3])]),
      bundle,
    ]) {
      expect(() => measureChunks(bytes, NO_CAP)).toThrow(MalformedChunk);
    }
  });
});
