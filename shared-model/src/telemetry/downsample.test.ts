import { describe, expect, it } from "vitest";
import type { TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { parseDay, parseDeviceId } from "../ids/ids.js";
import { appendSample } from "./append-sample.js";
import { createTelemetryDayDoc } from "./day-doc.js";
import { countSamples, downsampleDay } from "./downsample.js";
import { InvalidDayDocSetting } from "./errors.js";
import { computeRollup } from "./rollup.js";

const day = parseDay("2026-11-18");
const start = Date.parse("2026-11-18T00:00:00Z");

function dayWith(samples: { at: number; values: Record<string, number> }[]): TelemetryDayDoc {
  const doc = createTelemetryDayDoc(parseDeviceId("laptop-1"), day, 10, {
    cpu: { unit: "%", scale: 10 },
    battery: { unit: "%", scale: 1 },
  });
  for (const sample of samples) appendSample(doc, sample);
  return doc;
}

describe("downsampleDay", () => {
  it("keeps one row per window with each metric's mean, and nulls where a window had none", () => {
    const samples = Array.from(
      { length: 12 },
      (_, i): { at: number; values: Record<string, number> } => ({
        at: start + i * 10_000,
        // battery only in the first minute
        values: i < 6 ? { cpu: i, battery: 90 } : { cpu: i },
      }),
    );
    const coarse = downsampleDay(dayWith(samples), 6);
    expect(coarse.intervalS).toBe(60);
    expect(coarse.hours["00"]).toEqual({
      t: [0, 60],
      v: { cpu: [25, 85], battery: [90, null] }, // means of 0..5 and 6..11, stored in 0.1 %
    });
    expect(countSamples(coarse)).toBe(2);
  });

  it("keeps gaps as gaps and every hour it had, and the day's min/avg/max stay in range", () => {
    const samples = [0, 10, 3_600 * 5 + 20, 3_600 * 23 + 3_590].map((s, i) => ({
      at: start + s * 1000,
      values: { cpu: 10 * (i + 1) },
    }));
    const original = dayWith(samples);
    const coarse = downsampleDay(original, 6);
    expect(Object.keys(coarse.hours).sort()).toEqual(["00", "05", "23"]);
    expect(coarse.hours["23"]?.t).toEqual([3_540]);
    const before = computeRollup(original).cpu;
    const after = computeRollup(coarse).cpu;
    expect(after?.min).toBeGreaterThanOrEqual(before?.min ?? Number.NaN);
    expect(after?.max).toBeLessThanOrEqual(before?.max ?? Number.NaN);
  });

  it("copies the audit list and refuses a factor below 2", () => {
    const doc = dayWith([]);
    doc.audit.push({ at: start, actor: "agent:laptop-1", action: "note", detail: "x" });
    expect(downsampleDay(doc, 2).audit).toEqual(doc.audit);
    expect(() => downsampleDay(doc, 1)).toThrow(InvalidDayDocSetting);
    expect(() => downsampleDay(doc, 2.5)).toThrow(InvalidDayDocSetting);
  });
});
