import { describe, expect, it } from "vitest";
import { type BackoffPolicy, backoffCeilingMs, backoffDelayMs } from "./backoff.js";
import { ReconnectSchedule, STABLE_CONNECTION_MS } from "./reconnect-schedule.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const policy = (random: number): BackoffPolicy => ({
  baseMs: SECOND,
  capMs: 5 * MINUTE,
  outageShare: 0.25,
  random: () => random,
});
/** The longest waits full jitter can draw. */
const WORST = policy(0.999999);

/** A schedule on a clock the test moves. */
function scheduleAt(start = 0, backoff = WORST) {
  const clock = { now: start };
  return { clock, schedule: new ReconnectSchedule(backoff, () => clock.now) };
}

/**
 * Retries through an outage of `outageMs` (every attempt fails until then) and returns how long
 * after the network came back the next attempt starts.
 */
function waitAfterReturn(outageMs: number, backoff = WORST): number {
  const { clock, schedule } = scheduleAt(0, backoff);
  while (clock.now < outageMs) clock.now += schedule.nextDelayMs();
  return clock.now - outageMs;
}

describe("backoffDelayMs", () => {
  it("has a ceiling of a quarter of the outage, from 1 s up to 5 min", () => {
    const ceilings = [0, 2, 4, 72, 600, 1_200, 86_400].map((s) =>
      backoffDelayMs(s * SECOND, WORST),
    );
    expect(ceilings).toEqual([999, 999, 999, 17_999, 149_999, 299_999, 299_999]);
  });

  it("is anywhere from 0 up to the ceiling (full jitter)", () => {
    expect(backoffDelayMs(MINUTE, policy(0))).toBe(0);
    expect(backoffDelayMs(MINUTE, policy(0.5))).toBe(7_500);
  });
});

describe("backoffCeilingMs", () => {
  it("is the outage's share, from the base up to the cap", () => {
    const limits = { baseMs: 2 * SECOND, capMs: MINUTE, outageShare: 1 };
    const ceilings = [-1, 0, 1, 2, 4, 8, 59, 64, 3_600].map((s) =>
      backoffCeilingMs(s * SECOND, limits),
    );
    expect(ceilings.map((ms) => ms / SECOND)).toEqual([2, 2, 2, 2, 4, 8, 59, 60, 60]);
  });

  it("bounds every wait backoffDelayMs draws", () => {
    for (const outageS of [0, 2, 72, 600, 86_400]) {
      expect(backoffDelayMs(outageS * SECOND, WORST)).toBeLessThan(
        backoffCeilingMs(outageS * SECOND, WORST),
      );
    }
  });
});

describe("ReconnectSchedule", () => {
  it("is back at most a quarter of the outage after the network returns, even at the longest waits", () => {
    for (const outageS of [3, 10, 72, 300, 3_600, 3 * 86_400]) {
      const bound = Math.min(5 * MINUTE, Math.max(SECOND, 0.25 * outageS * SECOND));
      expect({ outageS, wait: waitAfterReturn(outageS * SECOND) }).toEqual({
        outageS,
        wait: expect.toSatisfy((wait: number) => wait <= bound),
      });
    }
  });

  it("thins attempts out: at the longest waits, 16 in the first minute, then one every 5 min", () => {
    const { clock, schedule } = scheduleAt();
    const attemptsAt: number[] = [];
    while (clock.now < 3 * 86_400 * SECOND) {
      clock.now += schedule.nextDelayMs();
      attemptsAt.push(clock.now);
    }
    const within = (from: number, to: number) =>
      attemptsAt.filter((at) => at >= from && at < to).length;
    expect(within(0, MINUTE)).toBeLessThanOrEqual(16);
    expect(within(0, 20 * MINUTE)).toBeLessThanOrEqual(45);
    // Past 20 minutes away every wait is the 5-minute cap (the longest draw, so exactly 12 an hour).
    expect(within(2 * 3_600 * SECOND, 3 * 3_600 * SECOND)).toBe(12);
  });

  it("starts a new outage after a connection that held, and continues the last after one that dropped at once", () => {
    const { clock, schedule } = scheduleAt();
    schedule.nextDelayMs(); // the relay went away at 0
    clock.now = 10 * MINUTE;
    expect(schedule.outageMs()).toBe(10 * MINUTE);

    // Back for two seconds, then gone again: still the outage that began at 0.
    schedule.connected();
    expect(schedule.outageMs()).toBe(0);
    clock.now += 2 * SECOND;
    expect(schedule.nextDelayMs()).toBe(150_499); // a quarter of 10 min 2 s
    expect(schedule.outageMs()).toBe(10 * MINUTE + 2 * SECOND);

    // Back for longer than a flap: losing it now is a new outage, retried within a second.
    schedule.connected();
    clock.now += STABLE_CONNECTION_MS;
    expect(schedule.nextDelayMs()).toBe(999);
    expect(schedule.outageMs()).toBe(0);
  });

  it("treats a first connection that drops at once as the start of an outage", () => {
    const { clock, schedule } = scheduleAt(5 * MINUTE);
    schedule.connected();
    clock.now += SECOND;
    expect(schedule.nextDelayMs()).toBe(999);
  });
});
