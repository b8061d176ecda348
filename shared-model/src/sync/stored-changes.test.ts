import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { headsIncludeChanges } from "./stored-changes.js";

describe("headsIncludeChanges", () => {
  const base = A.from<{ n: number; s?: string }>({ n: 0 }, { actor: "aa" });
  const admin = A.change(A.clone(base, { actor: "bb" }), (d) => {
    d.n = 1;
  });
  const agent = A.change(A.clone(base, { actor: "cc" }), (d) => {
    d.s = "agent";
  });
  const merged = A.merge(A.clone(admin), agent);
  const later = A.change(A.clone(merged, { actor: "cc" }), (d) => {
    d.s = "later";
  });

  it("is true for the same heads and for heads that came after", () => {
    expect(headsIncludeChanges(later, A.getHeads(admin), A.getHeads(admin))).toBe(true);
    expect(headsIncludeChanges(later, A.getHeads(merged), A.getHeads(admin))).toBe(true);
    expect(headsIncludeChanges(later, A.getHeads(later), A.getHeads(admin))).toBe(true);
  });

  it("is false for heads on another branch or before the change", () => {
    expect(headsIncludeChanges(later, A.getHeads(agent), A.getHeads(admin))).toBe(false);
    expect(headsIncludeChanges(later, A.getHeads(base), A.getHeads(admin))).toBe(false);
  });

  it("is false for heads this document does not hold", () => {
    const elsewhere = A.change(A.clone(later, { actor: "dd" }), (d) => {
      d.n = 9;
    });
    expect(headsIncludeChanges(later, A.getHeads(elsewhere), A.getHeads(admin))).toBe(false);
  });
});
