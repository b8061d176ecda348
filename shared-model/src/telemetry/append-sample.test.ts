import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { parseDay, parseDeviceId, startOfDay } from "../ids/ids.js";
import { appendSample, type Sample } from "./append-sample.js";
import { createTelemetryDayDoc } from "./day-doc.js";
import { InvalidSampleValue, SampleOutsideDay, TelemetryError, UnknownMetric } from "./errors.js";
import { STANDARD_METRICS } from "./metrics.js";

const day = parseDay("2026-11-21");
const dayStart = startOfDay(day);
const at = (hh: number, mm: number, ss: number, ms = 0) =>
  dayStart + ((hh * 60 + mm) * 60 + ss) * 1000 + ms;

function newDoc(): A.Doc<TelemetryDayDoc> {
  // Spread: A.from wants an indexable object type, which an interface is not.
  return A.from({ ...createTelemetryDayDoc(parseDeviceId("laptop-7"), day, 10, STANDARD_METRICS) });
}

function write(doc: A.Doc<TelemetryDayDoc>, samples: readonly Sample[]): A.Doc<TelemetryDayDoc> {
  let next = doc;
  for (const sample of samples) next = A.change(next, (draft) => appendSample(draft, sample));
  return next;
}

describe("appendSample", () => {
  it("writes fixed-point integers into the UTC hour's bucket, one change per tick", () => {
    const doc = write(newDoc(), [
      { at: at(0, 0, 0), values: { cpu: 12.34, memory: 6_203.6 } },
      { at: at(0, 0, 10, 999), values: { cpu: 7.05, memory: 6_210 } },
    ]);
    expect(A.toJS(doc).hours).toEqual({
      "00": { t: [0, 10], v: { cpu: [123, 71], memory: [6_204, 6_210] } },
    });
    // A.from is one change, and each tick one more.
    expect(A.getHistory(doc)).toHaveLength(3);
  });

  it("starts a new bucket at each hour boundary, keeping t as seconds since the start of the hour", () => {
    const doc = write(newDoc(), [
      { at: at(0, 59, 50), values: { cpu: 1 } },
      { at: at(1, 0, 0), values: { cpu: 2 } },
      { at: at(23, 59, 59, 500), values: { cpu: 3 } },
    ]);
    const { hours } = A.toJS(doc);
    expect(Object.keys(hours).sort()).toEqual(["00", "01", "23"]);
    expect(hours["00"]).toEqual({ t: [3_590], v: { cpu: [10] } });
    expect(hours["01"]).toEqual({ t: [0], v: { cpu: [20] } });
    expect(hours["23"]).toEqual({ t: [3_599], v: { cpu: [30] } });
  });

  it("records null for a metric missing from a sample", () => {
    const doc = write(newDoc(), [
      { at: at(5, 0, 0), values: { cpu: 1, battery: 80 } },
      { at: at(5, 0, 10), values: { cpu: 2 } },
      { at: at(5, 0, 20), values: { battery: 79 } },
    ]);
    expect(A.toJS(doc).hours["05"]).toEqual({
      t: [0, 10, 20],
      v: { cpu: [10, 20, null], battery: [80, null, 79] },
    });
  });

  it("pads a metric that first appears mid-hour so every column lines up with t", () => {
    const doc = write(newDoc(), [
      { at: at(5, 0, 0), values: { cpu: 1 } },
      { at: at(5, 0, 10), values: { cpu: 2 } },
      { at: at(5, 0, 20), values: { cpu: 3, temperature: 45.25 } },
      { at: at(5, 0, 30), values: {} },
    ]);
    const bucket = A.toJS(doc).hours["05"];
    expect(bucket).toEqual({
      t: [0, 10, 20, 30],
      v: { cpu: [10, 20, 30, null], temperature: [null, null, 453, null] },
    });
  });

  it("refuses a metric the document does not declare, naming it, and writes nothing", () => {
    const doc = write(newDoc(), [{ at: at(1, 0, 0), values: { cpu: 1 } }]);
    const bad = { at: at(1, 0, 10), values: { cpu: 2, fanSpeed: 1200 } };
    expect(() => A.change(doc, (draft) => appendSample(draft, bad))).toThrow(UnknownMetric);
    expect(() => A.change(doc, (draft) => appendSample(draft, bad))).toThrow(/"fanSpeed"/);
    // Inherited names are not declared metrics either.
    const inherited = { at: at(1, 0, 10), values: { toString: 1 } };
    expect(() => A.change(doc, (draft) => appendSample(draft, inherited))).toThrow(UnknownMetric);
    expect(A.toJS(doc).hours["01"]?.t).toEqual([0]);
  });

  it("refuses a sample that is not on the document's day", () => {
    const doc = newDoc();
    for (const when of [dayStart - 1, dayStart + 86_400_000, Number.NaN]) {
      const sample = { at: when, values: { cpu: 1 } };
      expect(() => A.change(doc, (draft) => appendSample(draft, sample))).toThrow(SampleOutsideDay);
    }
  });

  it("refuses non-finite values and values beyond a safe integer", () => {
    const doc = newDoc();
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300]) {
      const sample = { at: at(2, 0, 0), values: { cpu: value } };
      let thrown: unknown;
      try {
        A.change(doc, (draft) => appendSample(draft, sample));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidSampleValue);
      expect(thrown).toBeInstanceOf(TelemetryError);
      expect((thrown as InvalidSampleValue).metric).toBe("cpu");
    }
    expect(A.toJS(doc).hours).toEqual({});
  });

  it("keeps each change small however long the hour gets", () => {
    let doc = newDoc();
    const sizes: number[] = [];
    for (let tick = 0; tick < 360; tick += 1) {
      const values = { cpu: tick % 50, memory: 6_000 + tick, rtt: 30 };
      doc = A.change(doc, (draft) =>
        appendSample(draft, { at: at(3, 0, 0) + tick * 10_000, values }),
      );
      sizes.push(A.getLastLocalChange(doc)?.length ?? 0);
    }
    // Pushing appends a handful of ops; rewriting a list would grow the change with the hour.
    expect(Math.max(...sizes.slice(1))).toBeLessThan(200);
    expect(sizes.at(-1)).toBeLessThanOrEqual((sizes[1] ?? 0) + 16);
  });
});
