import { LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { SamplingLoop } from "./sampling-loop.js";
import { SimulatedClock } from "./simulated-clock.js";

const MIDNIGHT = Date.UTC(2024, 0, 1);

/**
 * A loop on a simulated clock held at `until`: runs `tick` (default: nothing) and resolves with
 * the tick times once time reaches the bound, then stops the loop.
 */
async function ticksUntil(
  until: number,
  options: {
    startAt?: number;
    intervalS?: () => number;
    tick?: (at: number, loop: SamplingLoop, clock: SimulatedClock) => Promise<void>;
  } = {},
) {
  const clock = new SimulatedClock(options.startAt ?? MIDNIGHT + 500);
  clock.holdAt(until);
  const ticks: number[] = [];
  const { logger, at } = recordingLogger();
  const loop: SamplingLoop = new SamplingLoop({
    clock,
    intervalS: options.intervalS ?? (() => 10),
    tick: async (tickAt) => {
      ticks.push(tickAt);
      await options.tick?.(tickAt, loop, clock);
    },
    logger,
  });
  loop.start();
  await clock.whenHeld();
  await loop.stop();
  return { ticks: ticks.map((tick) => tick - MIDNIGHT), errors: at(LEVEL.error) };
}

describe("SamplingLoop", () => {
  it("ticks on multiples of the interval, from the first one after start", async () => {
    const { ticks } = await ticksUntil(MIDNIGHT + 35_000);
    expect(ticks).toEqual([10_000, 20_000, 30_000]);
  });

  it("skips the ticks a slow tick missed instead of running them in a burst", async () => {
    const { ticks } = await ticksUntil(MIDNIGHT + 75_000, {
      tick: async (at, _loop, clock) => {
        if (at === MIDNIGHT + 10_000) await clock.sleep(35_000); // a slow disk: now 45 s
      },
    });
    expect(ticks).toEqual([10_000, 50_000, 60_000, 70_000]);
  });

  it("realigns on multiples of a new interval, after the last tick taken", async () => {
    let intervalS = 10;
    const { ticks } = await ticksUntil(MIDNIGHT + 250_000, {
      intervalS: () => intervalS,
      tick: async (at, loop) => {
        if (at !== MIDNIGHT + 20_000) return;
        intervalS = 60;
        loop.intervalChanged();
      },
    });
    expect(ticks).toEqual([10_000, 20_000, 60_000, 120_000, 180_000, 240_000]);
  });

  it("logs a failure repeated tick after tick once, and again after a tick succeeds", async () => {
    const { errors } = await ticksUntil(MIDNIGHT + 65_000, {
      tick: async (at) => {
        if (at !== MIDNIGHT + 40_000) throw new Error("disk full");
      },
    });
    expect(errors.map((line) => line.msg)).toEqual([
      "sampling failed: disk full",
      "sampling failed: disk full",
    ]);
  });

  it("stop() waits for the tick under way and no tick starts after it", async () => {
    const clock = new SimulatedClock(MIDNIGHT);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ticks: number[] = [];
    let finished = false;
    let ticked = () => {};
    const firstTick = new Promise<void>((resolve) => {
      ticked = resolve;
    });
    const loop = new SamplingLoop({
      clock,
      intervalS: () => 10,
      tick: async (at) => {
        ticks.push(at);
        ticked();
        await held;
        finished = true;
      },
      logger: recordingLogger().logger,
    });
    loop.start();
    await firstTick;
    const stopped = loop.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
    expect(ticks).toHaveLength(1);
  });
});
