import { randomBytes } from "node:crypto";
import * as A from "@automerge/automerge";
import {
  appendSample,
  computeRollup,
  countSamples,
  createTelemetryDayDoc,
  DAY_MS,
  type Day,
  type DeviceId,
  dayOf,
  type MetricRollup,
  startOfDay,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import {
  makeSimulatedDevice,
  SIMULATED_METRICS,
} from "../../scripts/synthetic-fleet/simulated-device.js";
import type { IndexedDay } from "../../scripts/synthetic-fleet/synthetic-device.js";

/** The agent's sampling interval in the scenario. */
export const INTERVAL_S = 10;

/** One UTC day of the week: its first and last sample times (inclusive). */
export interface DayPlan {
  day: Day;
  firstAt: number;
  lastAt: number;
}

/** A built day document and what the agent writes into the DeviceDoc's index when it closes. */
export interface BuiltDay {
  day: Day;
  binary: Uint8Array;
  /** Hex hashes of the last changes. */
  heads: string[];
  samples: number;
  rollup: Record<string, MetricRollup>;
}

/**
 * The last `days` × 24 h of samples every `intervalS` up to `now`, split by UTC day: eight day
 * documents for seven days (the oldest and today's partial), `days × 86,400 / intervalS` samples
 * in all, every one inside a "last 7 days" chart drawn now.
 */
export function planTelemetryWeek(now: number, days = 7, intervalS = INTERVAL_S): DayPlan[] {
  const stepMs = intervalS * 1000;
  const lastAt = Math.floor(now / stepMs) * stepMs;
  const firstAt = lastAt - days * DAY_MS + stepMs;
  const plans: DayPlan[] = [];
  for (let dayStart = startOfDay(dayOf(firstAt)); dayStart <= lastAt; dayStart += DAY_MS) {
    plans.push({
      day: dayOf(dayStart),
      firstAt: Math.max(firstAt, dayStart),
      lastAt: Math.min(lastAt, dayStart + DAY_MS - stepMs),
    });
  }
  return plans;
}

/**
 * One day document as the agent writes it: one Automerge change per sample tick (the simulated
 * laptop of scripts/synthetic-fleet), by the agent's actor, stamped with the tick's time.
 */
export function buildDayDocument(
  deviceId: DeviceId,
  plan: DayPlan,
  seed: number,
  intervalS = INTERVAL_S,
): BuiltDay {
  let doc = A.from<TelemetryDayDoc>(
    createTelemetryDayDoc(deviceId, plan.day, intervalS, SIMULATED_METRICS),
    { actor: randomBytes(16).toString("hex") },
  );
  const nextValues = makeSimulatedDevice(seed);
  for (let at = plan.firstAt; at <= plan.lastAt; at += intervalS * 1000) {
    const sample = { at, values: nextValues() };
    doc = A.change(doc, { time: Math.floor(at / 1000) }, (draft) => appendSample(draft, sample));
  }
  return {
    day: plan.day,
    binary: A.save(doc),
    heads: A.getHeads(doc),
    samples: countSamples(doc),
    rollup: computeRollup(doc),
  };
}

/**
 * The DeviceDoc index of the week: each day opened at its first sample and closed (rollup and
 * sample count) by the first tick of the next; today's day stays open.
 */
export function indexOfWeek(
  plans: readonly DayPlan[],
  built: ReadonlyMap<Day, Pick<BuiltDay, "samples" | "rollup">>,
  urls: ReadonlyMap<Day, string>,
): IndexedDay[] {
  return plans.map((plan, position) => {
    const url = urls.get(plan.day);
    const day = built.get(plan.day);
    if (url === undefined || day === undefined) throw new Error(`day ${plan.day} was not built`);
    const open = position === plans.length - 1;
    return open
      ? { day: plan.day, url, openedAt: plan.firstAt, samples: 0 }
      : {
          day: plan.day,
          url,
          openedAt: plan.firstAt,
          closedAt: plan.lastAt + INTERVAL_S * 1000,
          samples: day.samples,
          rollup: day.rollup,
        };
  });
}
