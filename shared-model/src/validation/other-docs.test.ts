import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { FleetDoc } from "../documents/fleet-doc.js";
import { toStored } from "../documents/stored-strings.js";
import type { DeviceId } from "../ids/ids.js";
import { validateFleetDoc } from "./fleet-doc.js";
import { validateTelemetryDayDoc } from "./telemetry-day-doc.js";

describe("validateFleetDoc", () => {
  it("keeps good devices and reports bad ones by path", () => {
    const { value, problems } = validateFleetDoc({
      schema: 1,
      devices: {
        "laptop-1": { deviceDocUrl: "automerge:2j9k", hostname: "laptop-1", enrolledAt: 1 },
        "laptop-2": { deviceDocUrl: "automerge:3x", hostname: "laptop-2", enrolledAt: -1 },
        "bad id!": { deviceDocUrl: "automerge:4y", hostname: "x", enrolledAt: 1 },
      },
    });
    expect(Object.keys(value?.devices ?? {})).toEqual(["laptop-1"]);
    expect(problems.map((p) => p.path)).toEqual(["devices.laptop-2.enrolledAt", "devices.bad id!"]);
  });

  it("keeps a revoked device's revokedAt and refuses one that is not a time", () => {
    const { value, problems } = validateFleetDoc({
      schema: 1,
      devices: {
        "laptop-1": {
          deviceDocUrl: "automerge:2j9k",
          hostname: "laptop-1",
          enrolledAt: 1,
          revokedAt: 5,
        },
        "laptop-2": {
          deviceDocUrl: "automerge:3x",
          hostname: "laptop-2",
          enrolledAt: 1,
          revokedAt: "yesterday",
        },
      },
    });
    expect(value?.devices["laptop-1" as never]).toMatchObject({ revokedAt: 5 });
    expect(problems.map((p) => p.path)).toEqual(["devices.laptop-2.revokedAt"]);
  });

  it("reads a FleetDoc written with scalar strings as one written with text, both through Automerge", () => {
    const device = { deviceDocUrl: "automerge:2j9k", hostname: "laptop-1", enrolledAt: 1 };
    const summaries = { shardCount: 1, shards: ["automerge:5z"] };
    const asText = A.from<FleetDoc>({ schema: 1, devices: { ["laptop-1" as DeviceId]: device } });
    const asScalars = A.change(A.from<FleetDoc>({ schema: 1, devices: {} }), (doc) => {
      doc.devices["laptop-1" as DeviceId] = toStored(device);
      doc.summaries = toStored(summaries);
    });
    expect(validateFleetDoc(A.toJS(asText)).value?.devices).toEqual({ "laptop-1": device });
    const read = validateFleetDoc(A.toJS(asScalars));
    expect(read.problems).toEqual([]);
    expect(read.value).toEqual({ schema: 1, devices: { "laptop-1": device }, summaries });
  });
});

describe("validateTelemetryDayDoc", () => {
  const day = {
    schema: 1,
    deviceId: "laptop-1",
    day: "2026-11-21",
    intervalS: 10,
    metrics: { cpu: { unit: "%", scale: 10 } },
    hours: {
      "00": { t: [0, 10], v: { cpu: [15, null] } },
      "01": { t: [0, 10], v: { cpu: [15] } },
      "02": { t: [3600], v: { cpu: [1] } },
    },
    audit: [
      { at: 1, actor: "agent:laptop-1", action: "command-started", detail: "" },
      { at: 1, actor: "x", action: "Bad Action", detail: "" },
    ],
  };

  it("drops hour buckets whose columns do not line up with t or whose times are outside the hour", () => {
    const { value, problems } = validateTelemetryDayDoc(day);
    expect(Object.keys(value?.hours ?? {})).toEqual(["00"]);
    expect(problems.map((p) => p.message)).toEqual([
      'hours.01.v.cpu: expected 2 values, one per sample time, received "1 values"',
      "hours.02.t.0: expected seconds since the start of the hour, 0..3599, received 3600",
      'audit.1.action: expected a kebab-case action, received "Bad Action"',
    ]);
    expect(value?.audit).toHaveLength(1);
  });

  it("refuses a document for an impossible day", () => {
    const { value, problems } = validateTelemetryDayDoc({ ...day, day: "2026-13-01" });
    expect(value).toBeNull();
    expect(problems[0]?.path).toBe("day");
  });
});
