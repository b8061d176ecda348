import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { parseDay, parseDeviceId, startOfDay } from "../ids/ids.js";
import { appendSample, type Sample } from "./append-sample.js";
import { createTelemetryDayDoc } from "./day-doc.js";
import { STANDARD_METRICS } from "./metrics.js";
import { computeRollup } from "./rollup.js";

const day = parseDay("2026-11-21");
const dayStart = startOfDay(day);

function dayWith(samples: readonly Sample[]): A.Doc<TelemetryDayDoc> {
  let doc = A.from({
    ...createTelemetryDayDoc(parseDeviceId("laptop-7"), day, 10, STANDARD_METRICS),
  });
  for (const sample of samples) doc = A.change(doc, (draft) => appendSample(draft, sample));
  return doc;
}

describe("computeRollup", () => {
  it("gives min/avg/max/count in real units over every hour, ignoring nulls", () => {
    const doc = dayWith([
      { at: dayStart + 10_000, values: { cpu: 12.3, battery: 80 } },
      { at: dayStart + 20_000, values: { cpu: 4.1 } },
      { at: dayStart + 3_600_000, values: { cpu: 50.0, battery: 77 } },
      { at: dayStart + 86_399_000, values: { cpu: 7.7, battery: 78 } },
    ]);
    expect(computeRollup(doc)).toEqual({
      // (123 + 41 + 500 + 77) / 4 = 185.25 tenths -> 18.5 %
      cpu: { min: 4.1, avg: 18.5, max: 50, count: 4 },
      // (80 + 77 + 78) / 3 = 78.33 -> 78 %
      battery: { min: 77, avg: 78, max: 80, count: 3 },
    });
  });

  it("rounds the average to the metric's resolution", () => {
    const doc = dayWith([
      { at: dayStart, values: { temperature: 40.1, memory: 1_000 } },
      { at: dayStart + 10_000, values: { temperature: 40.2, memory: 1_001 } },
    ]);
    // 401.5 tenths rounds to 402; 1000.5 MiB rounds to 1001.
    expect(computeRollup(doc)).toEqual({
      temperature: { min: 40.1, avg: 40.2, max: 40.2, count: 2 },
      memory: { min: 1_000, avg: 1_001, max: 1_001, count: 2 },
    });
  });

  it("leaves out metrics that have no value all day", () => {
    const doc = dayWith([
      { at: dayStart, values: { cpu: 1 } },
      { at: dayStart + 10_000, values: { cpu: 2, rtt: 30 } },
    ]);
    const rollup = computeRollup(doc);
    expect(Object.keys(rollup).sort()).toEqual(["cpu", "rtt"]);
    expect(rollup.rtt).toEqual({ min: 30, avg: 30, max: 30, count: 1 });
    expect(computeRollup(dayWith([]))).toEqual({});
  });
});
