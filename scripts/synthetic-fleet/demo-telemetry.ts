import { randomBytes } from "node:crypto";
import * as A from "@automerge/automerge";
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import {
  appendSample,
  computeRollup,
  countSamples,
  createTelemetryDayDoc,
  DAY_MS,
  type Day,
  type DeviceId,
  dayOf,
  type Sample,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { makeSimulatedDevice, SIMULATED_METRICS } from "./simulated-device.js";
import type { IndexedDay } from "./synthetic-device.js";
import { type Draw, integer } from "./synthetic-inventory.js";

const HOUR_MS = 3_600_000;

/** When a demo device was off: asleep at night, a trip with the lid closed, or not seen since. */
export interface OfflinePattern {
  /** Local hours [from, to) the machine sleeps every night (a laptop), absent for an always-on one. */
  sleeps?: { from: number; to: number };
  /** An afternoon-to-morning stretch off the network, epoch ms [from, to). */
  gap?: { from: number; to: number };
  /** Last sample time of a device not seen since (its last day stays open, as on a real agent). */
  silentSince?: number;
}

/**
 * How a demo device goes offline over `days` days before `now`: most laptops sleep at night, a
 * few were away for half a day, and about one in six has not been seen for one or two days.
 */
export function drawOfflinePattern(random: Draw, now: number, days: number): OfflinePattern {
  const pattern: OfflinePattern = {};
  if (random() < 0.6) pattern.sleeps = { from: integer(random, 19, 23), to: integer(random, 6, 8) };
  if (random() < 0.25) {
    const from = now - integer(random, 1, days - 1) * DAY_MS - integer(random, 0, 12) * HOUR_MS;
    pattern.gap = { from, to: from + integer(random, 4, 16) * HOUR_MS };
  }
  if (random() < 0.17) pattern.silentSince = now - integer(random, 20, 54) * HOUR_MS;
  return pattern;
}

/** How one demo machine runs apart from the simulated laptop: a few are full or hot. */
export interface MachineTrouble {
  /** Points added to disk usage (a disk filling up). */
  diskPoints: number;
  /** Degrees added to the temperature (blocked fans). */
  heatDegrees: number;
}

/** About one device in eight has a nearly full disk and one in twelve runs hot, as in any fleet. */
export function drawTrouble(random: Draw): MachineTrouble {
  return {
    diskPoints: random() < 0.12 ? integer(random, 25, 36) : 0,
    heatDegrees: random() < 0.08 ? integer(random, 40, 50) : 0,
  };
}

/** Whether a device with `pattern` was up and sampling at `at`. */
export function wasOnline(pattern: OfflinePattern, at: number): boolean {
  if (pattern.silentSince !== undefined && at > pattern.silentSince) return false;
  if (pattern.gap && at >= pattern.gap.from && at < pattern.gap.to) return false;
  if (pattern.sleeps) {
    const hour = new Date(at).getHours();
    const { from, to } = pattern.sleeps;
    if (hour >= from || hour < to) return false;
  }
  return true;
}

/** A day document built for a demo device, and its entry in the DeviceDoc's telemetry index. */
export interface DemoDay {
  index: IndexedDay;
  binary: Uint8Array;
  /** Hex hashes of the document's last changes. */
  heads: string[];
}

/**
 * A demo device's telemetry: a sample every `intervalS` over the `days` days before `now` while
 * the device was online, in one day document per UTC day with samples. Each hour's samples go
 * in one change (the agent writes one per sample; the documents read the same, and a demo of 50
 * devices builds in seconds). Each day is closed, with its rollup, at the first sample of the
 * next day that has one; the last day stays open.
 */
export function buildDemoTelemetry(
  deviceId: DeviceId,
  pattern: OfflinePattern,
  options: {
    now: number;
    days: number;
    intervalS: number;
    seed: number;
    trouble?: MachineTrouble;
  },
): DemoDay[] {
  const { now, days, intervalS, seed } = options;
  const trouble = options.trouble ?? { diskPoints: 0, heatDegrees: 0 };
  const step = intervalS * 1000;
  const nextValues = makeSimulatedDevice(seed);
  const actor = randomBytes(16).toString("hex");
  const built: { day: Day; doc: A.Doc<TelemetryDayDoc>; firstAt: number }[] = [];
  let hour: Sample[] = [];
  let hourOfBatch = -1;
  const flush = () => {
    const current = built.at(-1);
    if (current === undefined || hour.length === 0) return;
    const samples = hour;
    const time = Math.floor((samples.at(-1) as Sample).at / 1000);
    current.doc = A.change(current.doc, { time }, (draft) => {
      for (const sample of samples) appendSample(draft, sample);
    });
    hour = [];
  };
  const first = Math.floor((now - days * DAY_MS) / step) * step;
  for (let at = first; at <= now; at += step) {
    // The simulation ticks while the device is off too, so it wakes in another state.
    const values = nextValues();
    if (!wasOnline(pattern, at)) continue;
    values.disk = Math.min(99.5, values.disk + trouble.diskPoints);
    values.temperature += trouble.heatDegrees;
    const day = dayOf(at);
    const current = built.at(-1);
    if (current?.day !== day) {
      flush();
      const doc = A.from(createTelemetryDayDoc(deviceId, day, intervalS, SIMULATED_METRICS), {
        actor,
      });
      built.push({ day, doc, firstAt: at });
    } else if (hour.length > 0 && Math.floor(at / HOUR_MS) !== hourOfBatch) {
      flush();
    }
    hourOfBatch = Math.floor(at / HOUR_MS);
    hour.push({ at, values });
  }
  flush();
  return built.map(({ day, doc, firstAt }, position) => {
    const next = built[position + 1];
    const url = generateAutomergeUrl();
    const samples = countSamples(doc);
    const index: IndexedDay =
      next === undefined
        ? { day, url, openedAt: firstAt, samples: 0 }
        : {
            day,
            url,
            openedAt: firstAt,
            closedAt: next.firstAt,
            samples,
            rollup: computeRollup(doc),
          };
    return { index, binary: A.save(doc), heads: A.getHeads(doc) };
  });
}
