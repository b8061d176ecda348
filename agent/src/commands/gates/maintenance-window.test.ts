import { describe, expect, it } from "vitest";
import { isInWindow, maintenanceWindowGate } from "./maintenance-window.js";

const NIGHT = { start: "02:00", end: "04:00" };
const at = (iso: string) => Date.parse(iso);

describe("isInWindow", () => {
  it("is open from start up to (not including) end, in the device's time zone", () => {
    expect(isInWindow(NIGHT, at("2026-06-10T00:30:00Z"), "Europe/Berlin")).toBe(true); // 02:30 CEST
    expect(isInWindow(NIGHT, at("2026-06-10T00:00:00Z"), "Europe/Berlin")).toBe(true); // 02:00
    expect(isInWindow(NIGHT, at("2026-06-10T02:00:00Z"), "Europe/Berlin")).toBe(false); // 04:00
    expect(isInWindow(NIGHT, at("2026-06-10T00:30:00Z"), "UTC")).toBe(false); // 00:30 UTC
    expect(isInWindow(NIGHT, at("2026-06-10T09:30:00Z"), "Asia/Tokyo")).toBe(false); // 18:30
  });

  it("crosses midnight when the end is before the start", () => {
    const evening = { start: "22:00", end: "02:00" };
    expect(isInWindow(evening, at("2026-01-10T23:15:00Z"), "UTC")).toBe(true);
    expect(isInWindow(evening, at("2026-01-11T01:59:00Z"), "UTC")).toBe(true);
    expect(isInWindow(evening, at("2026-01-11T02:00:00Z"), "UTC")).toBe(false);
    expect(isInWindow(evening, at("2026-01-10T21:59:00Z"), "UTC")).toBe(false);
  });

  it("treats equal start and end as always open", () => {
    expect(isInWindow({ start: "00:00", end: "00:00" }, at("2026-01-10T13:00:00Z"), "UTC")).toBe(
      true,
    );
  });

  it("on the spring-forward night, a 02:00–04:00 window opens at 03:00 for one hour", () => {
    // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    const open: string[] = [];
    for (let minute = 0; minute < 6 * 60; minute += 15) {
      const instant = at("2026-03-28T23:00:00Z") + minute * 60_000; // 00:00 CET onwards
      if (isInWindow(NIGHT, instant, "Europe/Berlin")) open.push(new Date(instant).toISOString());
    }
    expect(open[0]).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(open).toHaveLength(4); // one real hour
  });

  it("on the fall-back night, it is open for three real hours (02:00–03:00 happens twice)", () => {
    // Europe/Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC).
    let openMinutes = 0;
    for (let minute = 0; minute < 8 * 60; minute += 15) {
      const instant = at("2026-10-24T22:00:00Z") + minute * 60_000; // 00:00 CEST onwards
      if (isInWindow(NIGHT, instant, "Europe/Berlin")) openMinutes += 15;
    }
    expect(openMinutes).toBe(180);
  });
});

describe("maintenanceWindowGate", () => {
  it("lets commands that need no window through at any time", () => {
    const result = maintenanceWindowGate({
      needsWindow: false,
      window: NIGHT,
      at: at("2026-06-10T12:00:00Z"),
      timeZone: "UTC",
    });
    expect(result).toEqual({ open: true });
  });

  it("defers a windowed command outside the window, saying when and in which zone", () => {
    const result = maintenanceWindowGate({
      needsWindow: true,
      window: NIGHT,
      at: at("2026-06-10T12:34:00Z"),
      timeZone: "Europe/Berlin",
    });
    expect(result).toEqual({
      open: false,
      reason: "maintenance-window",
      detail: "waits for the maintenance window 02:00–04:00 (device time 14:34, Europe/Berlin)",
    });
  });
});
