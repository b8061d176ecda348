import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { TELEMETRY_DAY_DOC_SCHEMA } from "../documents/telemetry-day-doc.js";
import { parseDay, parseDeviceId } from "../ids/ids.js";
import { createTelemetryDayDoc } from "./day-doc.js";
import { InvalidDayDocSetting } from "./errors.js";
import { STANDARD_METRICS } from "./metrics.js";

const deviceId = parseDeviceId("laptop-7");
const day = parseDay("2026-11-21");

describe("createTelemetryDayDoc", () => {
  it("is an empty day with the declared metrics, ready for Automerge", () => {
    const initial = createTelemetryDayDoc(deviceId, day, 10, STANDARD_METRICS);
    expect(initial).toEqual({
      schema: TELEMETRY_DAY_DOC_SCHEMA,
      deviceId,
      day,
      intervalS: 10,
      metrics: STANDARD_METRICS,
      hours: {},
      audit: [],
    });
    expect(A.toJS(A.from({ ...initial }))).toEqual(initial);
  });

  it("copies only unit and scale, so the caller's objects are not shared or leaked", () => {
    const extra = { cpu: { unit: "%", scale: 10, label: "CPU" } };
    const initial = createTelemetryDayDoc(deviceId, day, 10, extra);
    expect(initial.metrics).toEqual({ cpu: { unit: "%", scale: 10 } });
    expect(initial.metrics.cpu).not.toBe(extra.cpu);
  });

  it("refuses an unusable interval or scale, naming the field", () => {
    expect(() => createTelemetryDayDoc(deviceId, day, 0, STANDARD_METRICS)).toThrow(
      InvalidDayDocSetting,
    );
    expect(() => createTelemetryDayDoc(deviceId, day, 2.5, STANDARD_METRICS)).toThrow(/intervalS/);
    expect(() =>
      createTelemetryDayDoc(deviceId, day, 10, { cpu: { unit: "%", scale: 0 } }),
    ).toThrow(/metrics\.cpu\.scale/);
  });
});
