import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { MetricDescriptor, TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { type Day, parseDay, parseDeviceId, startOfDay } from "../ids/ids.js";
import { appendSample, type Sample } from "./append-sample.js";
import { createTelemetryDayDoc } from "./day-doc.js";
import { DuplicateDay, MetricUnitMismatch } from "./errors.js";
import { STANDARD_METRICS } from "./metrics.js";
import { readRange } from "./read-range.js";

const deviceId = parseDeviceId("laptop-7");
const friday = parseDay("2026-11-20");
const saturday = parseDay("2026-11-21");
const HOUR = 3_600_000;

function dayWith(
  day: Day,
  samples: readonly Sample[],
  metrics: Record<string, MetricDescriptor> = STANDARD_METRICS,
): A.Doc<TelemetryDayDoc> {
  // Spread: A.from wants an indexable object type, which an interface is not.
  let doc = A.from({ ...createTelemetryDayDoc(deviceId, day, 10, metrics) });
  for (const sample of samples) doc = A.change(doc, (draft) => appendSample(draft, sample));
  return doc;
}

/** Samples every `stepMs` over `[fromMs, toMs)`, cpu = minutes past the hour, memory every other. */
function ticks(fromMs: number, toMs: number, stepMs: number): Sample[] {
  const samples: Sample[] = [];
  for (let at = fromMs, index = 0; at < toMs; at += stepMs, index += 1) {
    const minute = new Date(at).getUTCMinutes();
    samples.push({
      at,
      values: index % 2 === 0 ? { cpu: minute + 0.5, memory: 4_000 } : { cpu: minute },
    });
  }
  return samples;
}

const seconds = (ms: number) => ms / 1000;

describe("readRange", () => {
  const fridayEnd = startOfDay(saturday);
  // The last 90 minutes of Friday and the first 90 of Saturday, every 15 minutes.
  const fridayDoc = dayWith(friday, ticks(fridayEnd - 1.5 * HOUR, fridayEnd, 15 * 60_000));
  const saturdayDoc = dayWith(saturday, ticks(fridayEnd, fridayEnd + 1.5 * HOUR, 15 * 60_000));

  it("reads across two days given in any order, cut mid-hour, with NaN where missing", () => {
    // From 23:00 Friday (inclusive) to 00:45 Saturday (exclusive).
    const from = fridayEnd - HOUR;
    const to = fridayEnd + 0.75 * HOUR;
    const range = readRange([saturdayDoc, fridayDoc], from, to);
    const quarter = 15 * 60;
    expect(Array.from(range.t)).toEqual(
      [-4, -3, -2, -1, 0, 1, 2].map((n) => seconds(fridayEnd) + n * quarter),
    );
    expect(range.t).toBeInstanceOf(Float64Array);
    // Even-numbered samples (Friday's from 22:30, Saturday's from 00:00) also carry memory.
    expect(Array.from(range.series.cpu ?? [])).toEqual([0.5, 15, 30.5, 45, 0.5, 15, 30.5]);
    const missing = Number.NaN;
    expect(Array.from(range.series.memory ?? [])).toEqual([
      4_000,
      missing,
      4_000,
      missing,
      4_000,
      missing,
      4_000,
    ]);
    // Declared but never sampled: a column of NaN, not zeros.
    expect(Array.from(range.series.rtt ?? [])).toEqual(new Array(7).fill(Number.NaN));
    expect(range.units).toEqual(
      Object.fromEntries(Object.entries(STANDARD_METRICS).map(([name, d]) => [name, d.unit])),
    );
  });

  it("includes `from` and excludes `to`", () => {
    const at = fridayEnd + 15 * 60_000;
    const range = readRange([fridayDoc, saturdayDoc], at, at + 15 * 60_000, ["cpu"]);
    expect(Array.from(range.t)).toEqual([seconds(at)]);
    expect(readRange([fridayDoc, saturdayDoc], at, at, ["cpu"]).t).toHaveLength(0);
  });

  it("returns only the requested metrics, NaN-filled when no day declares one", () => {
    const range = readRange([saturdayDoc], fridayEnd, fridayEnd + HOUR, ["memory", "fanSpeed"]);
    expect(Object.keys(range.series)).toEqual(["memory", "fanSpeed"]);
    expect(range.units).toEqual({ memory: "MiB", fanSpeed: "" });
    expect(range.series.fanSpeed?.every(Number.isNaN)).toBe(true);
    expect(range.series.memory).toHaveLength(4);
  });

  it("returns empty columns for a range with no samples", () => {
    const range = readRange([fridayDoc, saturdayDoc], 0, 1_000, ["cpu"]);
    expect(range.t).toHaveLength(0);
    expect(range.series.cpu).toHaveLength(0);
  });

  it("converts each day with its own scale and refuses conflicting units", () => {
    const coarse = dayWith(friday, [{ at: fridayEnd - 10_000, values: { cpu: 12 } }], {
      ...STANDARD_METRICS,
      cpu: { unit: "%", scale: 1 },
    });
    const range = readRange([coarse, saturdayDoc], fridayEnd - HOUR, fridayEnd + 1, ["cpu"]);
    expect(Array.from(range.series.cpu ?? [])).toEqual([12, 0.5]);

    const fahrenheit = dayWith(friday, [], {
      ...STANDARD_METRICS,
      temperature: { unit: "°F", scale: 1 },
    });
    expect(() => readRange([fahrenheit, saturdayDoc], 0, Number.MAX_SAFE_INTEGER)).toThrow(
      MetricUnitMismatch,
    );
    expect(() => readRange([fridayDoc, fridayDoc], 0, Number.MAX_SAFE_INTEGER)).toThrow(
      DuplicateDay,
    );
  });

  it("returns ascending times even after the agent's clock stepped back", () => {
    const noon = startOfDay(saturday) + 12 * HOUR;
    const doc = dayWith(saturday, [
      { at: noon + 20_000, values: { cpu: 2 } },
      { at: noon + 10_000, values: { cpu: 1 } },
      { at: noon + 30_000, values: { cpu: 3 } },
    ]);
    const range = readRange([doc], noon, noon + HOUR);
    expect(Array.from(range.t)).toEqual([10, 20, 30].map((s) => seconds(noon) + s));
    expect(Array.from(range.series.cpu ?? [])).toEqual([1, 2, 3]);
  });

  it("gives identical results on the agent's replica and on one that merged its changes", () => {
    let agent = dayWith(saturday, []);
    let dashboard = A.clone(agent, { actor: "dddddddddddddddd" });
    const start = startOfDay(saturday);
    for (const [index, sample] of ticks(start + 0.5 * HOUR, start + 2.5 * HOUR, 60_000).entries()) {
      agent = A.change(agent, (draft) => appendSample(draft, sample));
      // The other replica merges now and then, as a dashboard would on reconnect.
      if (index % 17 === 0) dashboard = A.merge(dashboard, A.clone(agent));
    }
    dashboard = A.merge(dashboard, agent);
    expect(A.getHeads(dashboard)).toEqual(A.getHeads(agent));
    const from = start + HOUR - 30_000;
    const to = start + 2 * HOUR + 90_000;
    const onAgent = readRange([agent], from, to);
    const onDashboard = readRange([dashboard], from, to);
    expect(onAgent.t.length).toBeGreaterThan(60);
    expect(onDashboard).toEqual(onAgent);
  });
});
