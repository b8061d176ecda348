import { describe, expect, it } from "vitest";
import { connectionCapFor, openFileLimit, RESERVED_FILE_DESCRIPTORS } from "./open-file-limit.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63448                63448                processes
Max open files            4096                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe("the open-file limit", () => {
  it("is the soft limit of /proc/self/limits", () => {
    expect(openFileLimit(() => LIMITS)).toBe(4096);
  });

  it("is unknown without the file, or when unlimited", () => {
    expect(
      openFileLimit(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
    expect(openFileLimit(() => LIMITS.replace("4096 ", "unlimited "))).toBeUndefined();
  });

  it("lowers a connection cap that would leave no descriptors for storage", () => {
    expect(connectionCapFor(15_000, 4096)).toEqual({
      cap: 4096 - RESERVED_FILE_DESCRIPTORS,
      lowered: true,
    });
    expect(connectionCapFor(15_000, 65_536)).toEqual({ cap: 15_000, lowered: false });
    expect(connectionCapFor(15_000, undefined)).toEqual({ cap: 15_000, lowered: false });
    expect(connectionCapFor(10, 100).cap).toBe(1);
  });
});
