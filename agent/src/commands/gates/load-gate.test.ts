import { describe, expect, it } from "vitest";
import { LoadGate, type LoadReading } from "./load-gate.js";

const THRESHOLDS = { cpuPercent: 60, memoryPercent: 85, diskBusyPercent: 50, sustainedS: 120 };
const T0 = Date.parse("2026-11-21T10:00:00Z");

/** Feeds one reading every 10 s from `from`, CPU from the list; memory 40 %, disk 5 %. */
function feed(gate: LoadGate, from: number, cpu: number[]): number {
  let at = from;
  for (const cpuPercent of cpu) {
    const reading: LoadReading = { at, cpuPercent, memoryPercent: 40, diskBusyPercent: 5 };
    gate.observe(reading);
    at += 10_000;
  }
  return at - 10_000;
}

describe("LoadGate", () => {
  it("is closed with no reading, and until the load has been low for the sustained period", () => {
    const gate = new LoadGate(THRESHOLDS);
    expect(gate.check(T0)).toMatchObject({
      open: false,
      reason: "load",
      detail: expect.stringContaining("no recent load reading"),
    });
    const last = feed(gate, T0, Array(12).fill(10)); // 110 s of calm
    expect(gate.check(last)).toMatchObject({ open: false, reason: "load" });
    const later = feed(gate, last + 10_000, [10]); // 120 s
    expect(gate.check(later)).toEqual({ open: true });
  });

  it("does not open on one quiet reading in a busy stretch", () => {
    const gate = new LoadGate(THRESHOLDS);
    const last = feed(gate, T0, [90, 90, 10, 90, 10, 10, 90, 90]);
    expect(gate.check(last)).toMatchObject({
      open: false,
      detail: expect.stringContaining("now CPU 90 %"),
    });
  });

  it("a load in the band just under the threshold neither opens a busy gate nor closes a calm one", () => {
    const busy = new LoadGate(THRESHOLDS);
    const at = feed(busy, T0, Array(30).fill(55)); // under 60 but not 10 points under
    expect(busy.check(at).open).toBe(false);

    const calm = new LoadGate(THRESHOLDS);
    const calmAt = feed(calm, T0, Array(13).fill(5));
    expect(calm.check(calmAt).open).toBe(true);
    const after = feed(calm, calmAt + 10_000, Array(30).fill(58));
    expect(calm.check(after).open).toBe(true);
  });

  it("stays open through one spike and closes on two readings in a row above a threshold", () => {
    const gate = new LoadGate(THRESHOLDS);
    const calmAt = feed(gate, T0, Array(13).fill(5));
    const spike = feed(gate, calmAt + 10_000, [95, 20]);
    expect(gate.check(spike).open).toBe(true);
    const sustained = feed(gate, spike + 10_000, [95, 95]);
    expect(gate.check(sustained)).toMatchObject({ open: false, reason: "load" });
  });

  it("counts memory and disk like CPU", () => {
    const gate = new LoadGate(THRESHOLDS);
    let at = T0;
    for (let i = 0; i < 20; i += 1, at += 10_000) {
      gate.observe({ at, cpuPercent: 5, memoryPercent: 80, diskBusyPercent: 5 }); // memory in the band
    }
    expect(gate.check(at - 10_000).open).toBe(false);
  });

  it("treats a 100 % threshold as no limit, even on a machine at 99 %", () => {
    const gate = new LoadGate({ ...THRESHOLDS, cpuPercent: 100, sustainedS: 0 });
    const last = feed(gate, T0, [99, 99, 100]);
    expect(gate.check(last)).toEqual({ open: true });
    // The other limits still hold.
    gate.observe({ at: last + 10_000, cpuPercent: 99, memoryPercent: 99, diskBusyPercent: 5 });
    gate.observe({ at: last + 20_000, cpuPercent: 99, memoryPercent: 99, diskBusyPercent: 5 });
    expect(gate.check(last + 20_000)).toMatchObject({ open: false, reason: "load" });
  });

  it("closes when the readings stop (a stale reading says nothing about now)", () => {
    const gate = new LoadGate(THRESHOLDS);
    const calmAt = feed(gate, T0, Array(13).fill(5));
    expect(gate.check(calmAt + 60_000).open).toBe(true);
    expect(gate.check(calmAt + 241_000)).toMatchObject({
      open: false,
      detail: expect.stringContaining("no recent"),
    });
  });

  it("counts a reading as recent for two sampling intervals of a slow sampler", () => {
    // Sampling every 10 minutes: a command arriving 15 minutes after the last tick still has a
    // reading to go by, and one after 21 minutes does not.
    const gate = new LoadGate(THRESHOLDS, () => 600);
    const calmAt = feed(gate, T0, Array(13).fill(5));
    expect(gate.check(calmAt + 15 * 60_000).open).toBe(true);
    expect(gate.check(calmAt + 21 * 60_000).open).toBe(false);
  });
});
