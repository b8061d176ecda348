import * as A from "@automerge/automerge";
import { DAY_MS, parseDeviceId, readRange, type TelemetryDayDoc } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { buildDemoTelemetry, type OfflinePattern, wasOnline } from "./demo-telemetry.js";

const HOUR_MS = 3_600_000;
const DEVICE = parseDeviceId("lt-0001-abcdef");
/** Noon UTC, so three days back start mid-day and the last day is partial. */
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe("wasOnline", () => {
  it("is off while asleep (across midnight), during a gap and after going silent", () => {
    const noon = new Date(2026, 10, 18, 12).getTime();
    const night = new Date(2026, 10, 18, 23, 30).getTime();
    const dawn = new Date(2026, 10, 19, 5).getTime();
    const sleeper: OfflinePattern = { sleeps: { from: 22, to: 7 } };
    expect([noon, night, dawn].map((at) => wasOnline(sleeper, at))).toEqual([true, false, false]);

    const away: OfflinePattern = { gap: { from: noon, to: noon + 4 * HOUR_MS } };
    expect(wasOnline(away, noon - 1)).toBe(true);
    expect(wasOnline(away, noon + HOUR_MS)).toBe(false);
    expect(wasOnline(away, noon + 4 * HOUR_MS)).toBe(true);

    expect(wasOnline({ silentSince: noon }, noon)).toBe(true);
    expect(wasOnline({ silentSince: noon }, noon + 1)).toBe(false);
  });
});

describe("buildDemoTelemetry", () => {
  it("writes a sample per interval while online, one day document per UTC day with samples", () => {
    const gap = { from: NOW - 2 * DAY_MS, to: NOW - 2 * DAY_MS + 6 * HOUR_MS };
    const days = buildDemoTelemetry(
      DEVICE,
      { gap },
      { now: NOW, days: 3, intervalS: 300, seed: 1 },
    );
    const docs = days.map((day) => A.load<TelemetryDayDoc>(day.binary));
    expect(days.map((day) => day.index.day)).toEqual([
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
    ]);
    const samples = readRange(docs, 0, NOW + 1);
    // 3 days and one more tick of 5-minute samples, minus the six hours away.
    expect(samples.t.length).toBe(3 * 288 + 1 - 6 * 12);
    const inGap = Array.from(samples.t).filter((t) => t * 1000 >= gap.from && t * 1000 < gap.to);
    expect(inGap).toEqual([]);

    // Closed days carry their count and rollup; the last, like an agent's today, stays open.
    for (const [position, day] of days.entries()) {
      const doc = docs[position] as TelemetryDayDoc;
      expect(day.heads).toEqual(A.getHeads(A.load(day.binary)));
      if (position === days.length - 1) {
        expect(day.index.closedAt).toBeUndefined();
        continue;
      }
      expect(day.index.samples).toBe(readRange([doc], 0, NOW + 1).t.length);
      expect(day.index.rollup?.cpu?.count).toBe(day.index.samples);
      expect(day.index.closedAt).toBe(days[position + 1]?.index.openedAt);
    }
  });

  it("builds nothing after a device went silent, and its last day stays open", () => {
    const silentSince = NOW - 30 * HOUR_MS;
    const days = buildDemoTelemetry(
      DEVICE,
      { silentSince },
      { now: NOW, days: 3, intervalS: 300, seed: 2 },
    );
    const docs = days.map((day) => A.load<TelemetryDayDoc>(day.binary));
    const samples = readRange(docs, 0, NOW + 1);
    expect(Math.max(...Array.from(samples.t)) * 1000).toBeLessThanOrEqual(silentSince);
    expect(days.at(-1)?.index.day).toBe("2026-11-19");
    expect(days.at(-1)?.index.closedAt).toBeUndefined();
  });

  it("fills the disk and heats the machine of a device with trouble", () => {
    const options = { now: NOW, days: 1, intervalS: 900, seed: 3 };
    const calm = buildDemoTelemetry(DEVICE, {}, options)[0]?.index.rollup;
    const troubled = buildDemoTelemetry(
      DEVICE,
      {},
      {
        ...options,
        trouble: { diskPoints: 30, heatDegrees: 45 },
      },
    )[0]?.index.rollup;
    expect(calm?.disk?.max).toBeLessThan(85);
    expect(troubled?.disk?.max).toBeGreaterThan(85);
    expect((troubled?.temperature?.max ?? 0) - (calm?.temperature?.max ?? 0)).toBeCloseTo(45, 0);
  });
});
