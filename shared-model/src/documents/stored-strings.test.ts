import * as A from "@automerge/automerge";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainString, type Stored, toPlain, toPlainSnapshot, toStored } from "./stored-strings.js";

/** JSON-like values (strings, numbers, booleans, null, lists and maps) with keys from `key`. */
function jsonLike(key: fc.Arbitrary<string>) {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    ),
  })).value;
}

/** JSON-like values as commands hold them. */
const jsonValue = jsonLike(fc.string());
/** Keys Automerge stores (it refuses `__proto__`), and values made of them. */
const documentKey = fc.string({ minLength: 1 }).filter((key) => key !== "__proto__");
const documentValue = jsonLike(documentKey);

/** True when some string anywhere in `value` is still an ImmutableString. */
function holdsImmutableString(value: unknown): boolean {
  if (A.isImmutableString(value)) return true;
  if (Array.isArray(value)) return value.some(holdsImmutableString);
  if (typeof value === "object" && value !== null)
    return Object.values(value).some(holdsImmutableString);
  return false;
}

describe("stored strings", () => {
  it("toPlain(toStored(x)) is x, and leaves no ImmutableString behind", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const plain = toPlain<unknown>(toStored(value));
        expect(plain).toEqual(value);
        expect(holdsImmutableString(plain)).toBe(false);
      }),
    );
  });

  it("round-trips through a real Automerge document, saved and loaded", () => {
    fc.assert(
      // Automerge refuses the key `__proto__` ("invalid value"), whatever the value.
      fc.property(fc.dictionary(documentKey, documentValue), (value) => {
        let doc = A.from<{ value: Record<string, unknown> }>({ value: {} });
        doc = A.change(doc, (d) => {
          d.value = toStored(value);
        });
        const loaded = A.load<{ value: Record<string, unknown> }>(A.save(doc));
        expect(toPlain(loaded.value)).toEqual(value);
      }),
      { numRuns: 50 },
    );
  });

  it("stores every string as one scalar, not as text", () => {
    const doc = A.change(A.from<{ v: Record<string, unknown> }>({ v: {} }), (d) => {
      d.v = toStored({ id: "cmd-1", list: ["a", "b"], nested: { by: "admin:alice" }, n: 3 });
    });
    const stored = doc.v as { id: unknown; list: unknown[]; nested: { by: unknown } };
    expect(A.isImmutableString(stored.id)).toBe(true);
    expect(stored.list.every((item) => A.isImmutableString(item))).toBe(true);
    expect(A.isImmutableString(stored.nested.by)).toBe(true);
  });

  it("returns a value that holds no ImmutableString as it is (a document written before)", () => {
    const old = { id: "cmd-1", events: [{ type: "accepted", at: 1 }], args: { n: 1 } };
    expect(toPlain(old)).toBe(old);
    const mixed = { id: new A.ImmutableString("cmd-1"), events: old.events, args: old.args };
    const plain = toPlain<typeof old>(mixed);
    expect(plain).toEqual(old);
    // Copy on write: the parts without scalars are shared, not copied.
    expect(plain.events).toBe(old.events);
    expect(plain.args).toBe(old.args);
  });

  it("keeps the plain copy of what a new snapshot shares with the last, down to each object", () => {
    type Doc = { c: Stored<{ spec: { id: string }; events: { type: string }[] }> };
    let doc = A.change(A.from<Doc>({ c: { spec: { id: "x" }, events: [] } }), (d) => {
      d.c = toStored({ spec: { id: "cmd-1" }, events: [{ type: "accepted" }] });
    });
    const before = toPlainSnapshot<{ spec: { id: string }; events: { type: string }[] }>(doc.c);
    expect(toPlainSnapshot<{ spec: { id: string }; events: { type: string }[] }>(doc.c)).toBe(
      before,
    );
    doc = A.change(doc, (d) => {
      d.c.events.push(toStored({ type: "started" }));
    });
    const after = toPlainSnapshot<{ spec: { id: string }; events: { type: string }[] }>(doc.c);
    expect(after).not.toBe(before);
    expect(after.events.map((event) => event.type)).toEqual(["accepted", "started"]);
    // The spec and the first event did not change: their plain copies are the same objects.
    expect(after.spec).toBe(before.spec);
    expect(after.events[0]).toBe(before.events[0]);
  });

  it("converts a change's draft afresh each time (it is edited in place)", () => {
    const doc = A.from<{ c: Record<string, unknown> }>({ c: {} });
    A.change(doc, (d) => {
      d.c = toStored({ id: "a" });
      expect(toPlainSnapshot(d.c)).toEqual({ id: "a" });
      d.c.id = toStored("b");
      expect(toPlainSnapshot(d.c)).toEqual({ id: "b" });
    });
  });

  it("leaves undefined fields out when storing (Automerge cannot hold them)", () => {
    expect(toPlain(toStored({ a: "x", b: undefined }))).toEqual({ a: "x" });
    expect(Object.keys(toStored({ a: "x", b: undefined }))).toEqual(["a"]);
  });

  it("keeps a key named __proto__ an own property, never the copy's prototype", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": "x"}') as object;
    for (const copy of [toStored(hostile), toPlain<object>(toStored(hostile))]) {
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    }
  });

  it("plainString reads both forms", () => {
    expect(plainString("text")).toBe("text");
    expect(plainString(new A.ImmutableString("scalar"))).toBe("scalar");
  });
});
