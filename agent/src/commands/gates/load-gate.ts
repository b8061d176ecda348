import type { LoadThresholds } from "@outpost/shared-model";
import { type GateResult, OPEN } from "./gate-result.js";

/** One reading of the system's load, percentages. */
export interface LoadReading {
  at: number;
  cpuPercent: number;
  memoryPercent: number;
  diskBusyPercent: number;
}

/** How far under a threshold the load must fall to count as calm: the hysteresis band. */
export const HYSTERESIS_POINTS = 10;

/**
 * True when `value` is the hysteresis band under `threshold`. A threshold of 100 % is "no limit":
 * no reading can exceed it, so it must not hold a command back either (without this, a busy
 * machine at 95 % would never count as under a 100 % limit).
 */
function wellUnder(value: number, threshold: number): boolean {
  return threshold >= 100 || value < threshold - HYSTERESIS_POINTS;
}

/**
 * The load gate with hysteresis (ARCHITECTURE.md, "Gates and defaults"). The device counts as calm
 * once every reading for
 * `sustainedS` has been at least {@link HYSTERESIS_POINTS} under each threshold; it counts as
 * busy again only after two readings in a row above a threshold. Readings in between keep the
 * current state, so a load hovering at the threshold does not flap, one spike does not stop a
 * calm device, and one quiet second does not start a command on a busy one.
 */
export class LoadGate {
  readonly #thresholds: () => LoadThresholds;
  #calm = false;
  #lowSince: number | undefined;
  #highInARow = 0;
  #last: LoadReading | undefined;
  readonly #readingIntervalS: () => number;

  /**
   * @param thresholds fixed, or read at each use (the device policy, which admins edit).
   * @param readingIntervalS how often readings come (the sampling interval): a reading stays
   *   recent for two of them at least, so a command arriving between ticks of a slow sampler is
   *   not deferred for want of one.
   */
  constructor(
    thresholds: LoadThresholds | (() => LoadThresholds),
    readingIntervalS: () => number = () => 0,
  ) {
    this.#thresholds = typeof thresholds === "function" ? thresholds : () => thresholds;
    this.#readingIntervalS = readingIntervalS;
  }

  /** Takes a reading (call it on every sample tick). */
  observe(reading: LoadReading): void {
    this.#last = reading;
    const t = this.#thresholds();
    const low =
      wellUnder(reading.cpuPercent, t.cpuPercent) &&
      wellUnder(reading.memoryPercent, t.memoryPercent) &&
      wellUnder(reading.diskBusyPercent, t.diskBusyPercent);
    const high =
      reading.cpuPercent > t.cpuPercent ||
      reading.memoryPercent > t.memoryPercent ||
      reading.diskBusyPercent > t.diskBusyPercent;
    this.#lowSince = low ? (this.#lowSince ?? reading.at) : undefined;
    this.#highInARow = high ? this.#highInARow + 1 : 0;
    if (this.#calm && this.#highInARow >= 2) this.#calm = false;
    if (!this.#calm && this.#lowSince !== undefined) {
      this.#calm = reading.at - this.#lowSince >= t.sustainedS * 1000;
    }
  }

  /** The latest reading, if any. */
  get last(): LoadReading | undefined {
    return this.#last;
  }

  /**
   * Open when calm and the last reading is recent: within two sustained periods or two reading
   * intervals of `at`, and never less than a minute.
   */
  check(at: number): GateResult {
    const t = this.#thresholds();
    const limits = `CPU ${t.cpuPercent} %, memory ${t.memoryPercent} %, disk ${t.diskBusyPercent} %`;
    const last = this.#last;
    const recentMs = Math.max(2 * t.sustainedS * 1000, 2 * this.#readingIntervalS() * 1000, 60_000);
    if (last === undefined || at - last.at > recentMs) {
      return { open: false, reason: "load", detail: `no recent load reading (limits ${limits})` };
    }
    if (this.#calm) return OPEN;
    const now = `CPU ${Math.round(last.cpuPercent)} %, memory ${Math.round(last.memoryPercent)} %, disk ${Math.round(last.diskBusyPercent)} %`;
    return {
      open: false,
      reason: "load",
      detail: `waits for the load to stay ${HYSTERESIS_POINTS} points under ${limits} for ${t.sustainedS} s (now ${now})`,
    };
  }
}
