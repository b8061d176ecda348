import { describe, expect, it } from "vitest";
import {
  dayOf,
  InvalidId,
  newCommandId,
  parseCommandId,
  parseDay,
  parseDeviceId,
  startOfDay,
} from "./ids.js";

describe("IDs", () => {
  it("accepts well-formed device IDs and refuses the rest with the rule", () => {
    expect(parseDeviceId("laptop-042.corp")).toBe("laptop-042.corp");
    for (const bad of ["", "-leading", "a/b", "x".repeat(65), 42]) {
      expect(() => parseDeviceId(bad)).toThrow(InvalidId);
    }
    expect(() => parseDeviceId("a/b")).toThrow(
      'invalid DeviceId "a/b": expected 1-64 of [A-Za-z0-9._-]',
    );
  });

  it("parses real days only", () => {
    expect(parseDay("2028-02-29")).toBe("2028-02-29");
    expect(() => parseDay("2026-02-29")).toThrow(/invalid Day/);
    expect(() => parseDay("2026-1-01")).toThrow(/invalid Day/);
  });

  it("makes fresh command IDs that parse", () => {
    const id = newCommandId();
    expect(parseCommandId(id)).toBe(id);
    expect(newCommandId()).not.toBe(id);
  });

  it("maps instants to UTC days and back", () => {
    const instant = Date.UTC(2026, 10, 21, 23, 59, 59);
    expect(dayOf(instant)).toBe("2026-11-21");
    expect(startOfDay(parseDay("2026-11-21"))).toBe(Date.UTC(2026, 10, 21));
  });
});
