import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "./clock.js";

/**
 * Wall-clock time sped up `speed` times since `origin` (epoch ms): `now = start + (real now -
 * origin) × speed`, where `start` (default `origin`) is the time the clock shows at `origin`; a
 * start in the past gives history that ends before real time catches up. A 10 s sampling interval
 * takes 10 s / `speed` of real time. With the same origin and start, every process (an agent
 * restarted after a kill) sees the same, ever-increasing time. For tests and demos that need days
 * of history from a real agent process (`OUTPOST_AGENT_CLOCK_SPEED`, `OUTPOST_AGENT_CLOCK_ORIGIN`,
 * `OUTPOST_AGENT_CLOCK_START`); never for production.
 */
export class ScaledClock implements Clock {
  readonly #speed: number;
  readonly #origin: number;
  readonly #start: number;

  constructor(speed: number, origin: number, start = origin) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new Error(`clock speed must be a positive number, got ${speed}`);
    }
    if (!Number.isFinite(origin) || origin > Date.now()) {
      throw new Error(`clock origin must be a past epoch time in ms, got ${origin}`);
    }
    if (!Number.isFinite(start)) throw new Error(`clock start must be epoch ms, got ${start}`);
    this.#speed = speed;
    this.#origin = origin;
    this.#start = start;
  }

  now(): number {
    return Math.floor(this.#start + (Date.now() - this.#origin) * this.#speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(Math.max(0, ms) / this.#speed, undefined, { signal });
  }
}
