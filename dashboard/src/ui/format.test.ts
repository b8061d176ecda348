import { describe, expect, it } from "vitest";
import { formatAge, formatTime, isoTime } from "./format.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatAge", () => {
  it.each([
    [-5 * SECOND, "just now"],
    [0, "just now"],
    [MINUTE - 1, "just now"],
    [MINUTE, "1 min"],
    [2 * MINUTE - 1, "1 min"],
    [HOUR - 1, "59 min"],
    [HOUR, "1 h"],
    [DAY - 1, "23 h"],
    [DAY, "1 d"],
    [45 * DAY + 23 * HOUR, "45 d"],
  ])("shows %i ms as %j", (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe("formatTime", () => {
  it("shows local time to the minute, padded", () => {
    const at = new Date(2026, 0, 5, 7, 3, 59).getTime();
    expect(formatTime(at)).toBe("2026-01-05 07:03");
  });

  it("shows a dash for no time", () => {
    expect(formatTime(undefined)).toBe("—");
    expect(formatTime(Number.NaN)).toBe("—");
  });
});

describe("isoTime", () => {
  it("is ISO 8601 in UTC, or empty for no time", () => {
    expect(isoTime(Date.UTC(2026, 2, 1, 8, 30))).toBe("2026-03-01T08:30:00.000Z");
    expect(isoTime(undefined)).toBe("");
    expect(isoTime(Number.POSITIVE_INFINITY)).toBe("");
  });
});
