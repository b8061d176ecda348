import type { Patch } from "@automerge/automerge";
import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { applyPatch, PatchPathError } from "./apply-patch.js";

// A type alias, not an interface: A.from wants an implicit index signature.
type Doc = {
  title: string;
  count?: A.Counter;
  tallies?: A.Counter[];
  list: (string | number)[];
  nested: { map: Record<string, unknown>; rows: { name: string }[] };
};

function plain<T>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value));
}

/** Runs `edit` in Automerge, applies its patches to a plain copy, and checks they agree. */
function replay(
  doc: A.Doc<Doc>,
  edit: (draft: Doc) => void,
): { patches: Patch[]; next: A.Doc<Doc> } {
  const copy = plain(doc);
  const patches: Patch[] = [];
  const next = A.change(doc, { patchCallback: (batch) => void patches.push(...batch) }, edit);
  for (const patch of patches) applyPatch(copy, patch);
  expect(copy).toEqual(plain(next));
  return { patches, next };
}

const start = (): A.Doc<Doc> =>
  A.from<Doc>({
    title: "laptop",
    list: ["a", "b", "c", "d"],
    nested: { map: { one: 1 }, rows: [] },
  });

describe("applyPatch with Automerge's own patches", () => {
  it("follows puts, deletions and nested objects in maps", () => {
    const { patches } = replay(start(), (d) => {
      d.nested.map.two = { deep: [1, 2] };
      delete d.nested.map.one;
      d.title = "desktop";
    });
    expect(patches.map((patch) => patch.action)).toEqual(expect.arrayContaining(["put", "del"]));
  });

  it("follows list inserts, deletions and replacements", () => {
    const { patches } = replay(start(), (d) => {
      d.list.splice(1, 2);
      d.list.push(7, 8);
      d.list.unshift("first");
      d.list[0] = "replaced";
      d.nested.rows.push({ name: "x" });
      d.nested.rows[0] = { name: "y" };
    });
    expect(patches.map((patch) => patch.action)).toEqual(
      expect.arrayContaining(["put", "del", "insert"]),
    );
  });

  it("keeps counters as numbers and follows their increments, in maps and lists", () => {
    const { next } = replay(start(), (d) => {
      d.count = new A.Counter(3);
      d.tallies = [new A.Counter(1)];
    });
    const { patches } = replay(next, (d) => {
      d.count?.increment(4);
      d.tallies?.[0]?.increment(-2);
    });
    expect(patches.map((patch) => patch.action)).toEqual(["inc", "inc"]);
  });

  it("edits text inside the string: splices and deletions", () => {
    const { patches } = replay(start(), (d) => {
      A.splice(d, ["title"], 0, 0, "my ");
      A.splice(d, ["title"], 5, 2, "");
      A.splice(d, ["title"], 5, 0, "PT");
    });
    expect(patches.map((patch) => patch.action)).toEqual(expect.arrayContaining(["splice", "del"]));
  });

  it("ignores marks", () => {
    const { patches } = replay(start(), (d) => {
      A.mark(d, ["title"], { start: 0, end: 3, expand: "none" }, "bold", true);
    });
    expect(patches.map((patch) => patch.action)).toContain("mark");
  });
});

describe("applyPatch by hand", () => {
  const target = () => ({
    note: "hello world",
    list: [1, 2, 3],
    map: { n: 1 } as Record<string, unknown>,
  });

  it("deletes a run of characters and splices text at a position", () => {
    const doc = target();
    applyPatch(doc, { action: "del", path: ["note", 5], length: 6 });
    applyPatch(doc, { action: "splice", path: ["note", 0], value: ">> " });
    expect(doc.note).toBe(">> hello");
  });

  it("deletes a run of list items, or one without a length", () => {
    const doc = target();
    applyPatch(doc, { action: "del", path: ["list", 0], length: 2 });
    expect(doc.list).toEqual([3]);
    applyPatch(doc, { action: "del", path: ["list", 0] });
    expect(doc.list).toEqual([]);
  });

  it("increments a missing number from zero", () => {
    const doc = target();
    applyPatch(doc, { action: "inc", path: ["map", "hits"], value: 2 });
    applyPatch(doc, { action: "inc", path: ["list", 1], value: -5 });
    expect(doc.map.hits).toBe(2);
    expect(doc.list).toEqual([1, -3, 3]);
  });

  it("copies the values it puts, so the patch keeps no link to the store", () => {
    const doc = target();
    const value = { deep: [1] };
    applyPatch(doc, { action: "put", path: ["map", "v"], value });
    value.deep.push(2);
    expect(doc.map.v).toEqual({ deep: [1] });
  });

  it("ignores conflict notices and unmarks", () => {
    const doc = target();
    applyPatch(doc, { action: "conflict", path: ["note"] });
    applyPatch(doc, { action: "unmark", path: ["note"], name: "bold", start: 0, end: 2 });
    expect(doc).toEqual(target());
  });

  it.each<[string, Patch]>([
    ["a missing parent", { action: "put", path: ["nowhere", "x"], value: 1 }],
    ["a parent that is a number", { action: "put", path: ["map", "n", "x"], value: 1 }],
    ["an empty path", { action: "put", path: [], value: 1 }],
    ["an insert into a map", { action: "insert", path: ["map", 0], values: [1] }],
    ["a text splice into a list", { action: "splice", path: ["list", 0], value: "x" }],
    ["an insert inside text", { action: "insert", path: ["note", 0], values: ["x"] }],
  ])("throws PatchPathError for %s", (_case, patch) => {
    expect(() => applyPatch(target(), patch)).toThrow(PatchPathError);
  });

  it("says where the path broke", () => {
    expect(() => applyPatch(target(), { action: "put", path: ["a", "b", "c"], value: 1 })).toThrow(
      "no object at /a/b",
    );
  });
});
