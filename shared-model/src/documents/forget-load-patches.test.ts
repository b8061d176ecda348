import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { forgetLoadPatches } from "./forget-load-patches.js";

describe("forgetLoadPatches", () => {
  it("drops the patch list a loaded document keeps, and diff still answers the same", () => {
    let source = A.from<{ items: string[] }>({ items: [] });
    source = A.change(source, (d) => {
      for (let index = 0; index < 50; index++) d.items.push(`item ${index}`);
    });
    // As automerge-repo loads a stored document.
    const loaded = A.loadIncremental(A.init<{ items: string[] }>(), A.save(source));
    const heads = A.getHeads(loaded);
    const before = A.diff(loaded, [], heads);
    expect(before.length).toBeGreaterThan(0);
    // Kept until now: if Automerge stops keeping it, this says so (and the call is a no-op).
    expect(forgetLoadPatches(loaded)).toBe(true);
    expect(forgetLoadPatches(loaded)).toBe(false);
    const after = A.diff(loaded, [], heads);
    expect(after).not.toBe(before);
    expect(after).toEqual(before);
    expect(loaded.items).toHaveLength(50);
  });
});
