import { type DocHandle, Repo } from "@automerge/automerge-repo/slim";
import {
  appendSample,
  createDeviceDoc,
  createTelemetryDayDoc,
  type DeviceDoc,
  parseDay,
  parseDeviceId,
  STANDARD_METRICS,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeOpenDays, type OpenDays } from "./make-open-days.js";

const DEVICE = parseDeviceId("lt-0001-abcdef");
const YESTERDAY = parseDay("2026-03-01");
const TODAY = parseDay("2026-03-02");
const NOON = startOfDay(TODAY) + 12 * 3_600_000;

let repo: Repo;
let openDays: OpenDays;
let redrawn: string[];

beforeEach(() => {
  repo = new Repo({ network: [] });
  redrawn = [];
  openDays = makeOpenDays(repo, (deviceId) => redrawn.push(deviceId));
});
afterEach(async () => {
  openDays.close();
  await repo.shutdown();
});

/** A DeviceDoc whose telemetry index lists yesterday's day document and today's. */
function deviceWithDays(): { device: DeviceDoc; today: DocHandle<TelemetryDayDoc> } {
  const day = (d: typeof TODAY) =>
    repo.create(createTelemetryDayDoc(DEVICE, d, 10, STANDARD_METRICS));
  const yesterday = day(YESTERDAY);
  yesterday.change((doc) => appendSample(doc, { at: startOfDay(YESTERDAY), values: { cpu: 5 } }));
  const today = day(TODAY);
  const device = repo.create(createDeviceDoc(DEVICE));
  device.change((doc) => {
    doc.telemetry[YESTERDAY] = { url: yesterday.url, samples: 1 };
    doc.telemetry[TODAY] = { url: today.url, samples: 0 };
  });
  return { device: device.doc(), today };
}

describe("makeOpenDays", () => {
  it("follows the newest day of a wanted device: its last sample and rollup, as samples arrive", async () => {
    const { device, today } = deviceWithDays();
    expect(openDays.want(DEVICE, device)).toBe(true);
    await vi.waitFor(() => expect(openDays.rollupOf(DEVICE)?.day).toBe(TODAY));
    // Today holds no sample yet: nothing to redraw, the row keeps its day-level "last sample".
    expect(openDays.lastSampleAt(DEVICE)).toBeUndefined();
    expect(redrawn).toEqual([]);

    today.change((doc) => appendSample(doc, { at: NOON, values: { cpu: 40 } }));
    await vi.waitFor(() => expect(openDays.lastSampleAt(DEVICE)).toBe(NOON));
    expect(openDays.rollupOf(DEVICE)?.rollup.cpu?.max).toBe(40);
    expect(redrawn).toEqual([DEVICE]);
  });

  it("follows a device only once wanted, and once however often it is wanted", async () => {
    const { device, today } = deviceWithDays();
    today.change((doc) => appendSample(doc, { at: NOON, values: { cpu: 40 } }));
    openDays.deviceLoaded(DEVICE, device);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openDays.lastSampleAt(DEVICE)).toBeUndefined();

    // Wanted before its DeviceDoc is here: followed when it arrives.
    expect(openDays.want(DEVICE, undefined)).toBe(true);
    expect(openDays.want(DEVICE, device)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openDays.lastSampleAt(DEVICE)).toBeUndefined();
    openDays.deviceLoaded(DEVICE, device);
    await vi.waitFor(() => expect(openDays.lastSampleAt(DEVICE)).toBe(NOON));
    expect(redrawn).toEqual([DEVICE]);
  });

  it("stops following on close", async () => {
    const { device, today } = deviceWithDays();
    openDays.want(DEVICE, device);
    await vi.waitFor(() => expect(openDays.rollupOf(DEVICE)).toBeDefined());
    openDays.close();
    today.change((doc) => appendSample(doc, { at: NOON, values: { cpu: 40 } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openDays.lastSampleAt(DEVICE)).toBeUndefined();
    expect(redrawn).toEqual([]);
  });

  it("refuses a day document that is another device's, which a device could list as its own", async () => {
    const other = parseDeviceId("lt-0002-fedcba");
    const theirs = repo.create(createTelemetryDayDoc(other, TODAY, 10, STANDARD_METRICS));
    theirs.change((doc) => appendSample(doc, { at: NOON, values: { cpu: 99 } }));
    const device = repo.create(createDeviceDoc(DEVICE));
    device.change((doc) => {
      doc.telemetry[TODAY] = { url: theirs.url, samples: 1 };
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      openDays.want(DEVICE, device.doc());
      await vi.waitFor(() => expect(warn).toHaveBeenCalled());
      expect(String(warn.mock.calls[0]?.[1])).toContain(`the telemetry of ${other}`);
      expect(openDays.rollupOf(DEVICE)).toBeUndefined();
      expect(openDays.lastSampleAt(DEVICE)).toBeUndefined();
      expect(redrawn).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
