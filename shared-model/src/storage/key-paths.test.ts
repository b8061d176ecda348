import { join, relative, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunkFilePath,
  decodeKeyComponent,
  encodeKeyComponent,
  keyFromRelativePath,
  keyStartsWith,
} from "./key-paths.js";

const base = join(sep, "srv", "outpost", "storage");
// Well-formed Unicode: a lone surrogate cannot be encoded as UTF-8 and is rejected on purpose.
const component = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", ".", "..", "/", "../..", "a/b", "~", "%41", "quarantine", "x.chunk.tmp"),
);

describe("key paths", () => {
  it("encodes to names that are never empty, dot names or paths", () => {
    fc.assert(
      fc.property(component, (value) => {
        const name = encodeKeyComponent(value);
        expect(name).toMatch(/^[a-z0-9_%^~-]+$/); // no upper case: safe on case-insensitive disks
        expect(decodeKeyComponent(name)).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it("maps every key inside the base directory and back to the same key", () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 5 }), (key) => {
        const path = chunkFilePath(base, key);
        const fromBase = relative(base, path);
        expect(fromBase.startsWith("..")).toBe(false);
        expect(keyFromRelativePath(fromBase)).toStrictEqual(key);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps a key's file apart from the directory of a longer key", () => {
    expect(chunkFilePath(base, ["ab"])).toBe(join(base, "ab", "ab.chunk"));
    expect(chunkFilePath(base, ["ab", "c"])).toBe(join(base, "ab", "ab", "c.chunk"));
    expect(chunkFilePath(base, ["..", ""])).toBe(join(base, "%2", "%2e%2e", "~.chunk"));
  });

  it("keeps keys that differ only in case apart on case-insensitive file systems", () => {
    expect(encodeKeyComponent("3vXKx")).toBe("3v^x^kx");
    expect(encodeKeyComponent("3vxkx")).toBe("3vxkx");
    expect(encodeKeyComponent("Ünï ^")).toBe("%c3%9cn%c3%af%20%5e");
  });

  it("ignores files that are not chunks of this layout", () => {
    for (const path of [
      join("ab", "abc", "x.chunk.0123abcd.tmp"), // a temp file
      join("ab", "abc", "x"), // no suffix
      join("zz", "abc", "x.chunk"), // wrong shard
      join("ab", "%61bc", "x.chunk"), // non-canonical spelling of "abc"
      join("ab", "ab%ZZ", "x.chunk"), // not decodable
      join("ab", "aB", "x.chunk"), // upper case is never written
      join("ab", "ab^", "x.chunk"), // a dangling case marker
      "README.chunk", // no shard
    ]) {
      expect(keyFromRelativePath(path), path).toBeUndefined();
    }
  });

  it("rejects an empty key and lone surrogates with a clear message", () => {
    expect(() => chunkFilePath(base, [])).toThrow(/at least one component/);
    expect(() => encodeKeyComponent("\ud800")).toThrow(/not valid Unicode/);
  });

  it("matches prefixes component by component", () => {
    expect(keyStartsWith(["AAAAA", "sync-state", "x"], ["AAAAA"])).toBe(true);
    expect(keyStartsWith(["AAAAA", "sync-state", "x"], [])).toBe(true);
    expect(keyStartsWith(["AAAAAB", "snapshot"], ["AAAAA"])).toBe(false);
    expect(keyStartsWith(["AAAAA"], ["AAAAA", "snapshot"])).toBe(false);
  });
});
