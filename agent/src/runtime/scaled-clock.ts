import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "./clock.js";

/**
 * Wall-clock time sped up `speed` times since `origin` (epoch ms): `now = origin + (real now -
 * origin) × speed`, so a 10 s sampling interval takes 10 s / `speed` of real time. With the same
 * origin, every process (an agent restarted after a kill) sees the same, ever-increasing time.
 * For tests and demos that need days of history from a real agent process
 * (`OUTPOST_AGENT_CLOCK_SPEED`, `OUTPOST_AGENT_CLOCK_ORIGIN`); never for production.
 */
export class ScaledClock implements Clock {
  readonly #speed: number;
  readonly #origin: number;

  constructor(speed: number, origin: number) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new Error(`clock speed must be a positive number, got ${speed}`);
    }
    if (!Number.isFinite(origin) || origin > Date.now()) {
      throw new Error(`clock origin must be a past epoch time in ms, got ${origin}`);
    }
    this.#speed = speed;
    this.#origin = origin;
  }

  now(): number {
    return Math.floor(this.#origin + (Date.now() - this.#origin) * this.#speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return delay(Math.max(0, ms) / this.#speed, undefined, { signal });
  }
}
