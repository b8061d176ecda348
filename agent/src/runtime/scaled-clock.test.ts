import { afterEach, describe, expect, it, vi } from "vitest";
import { ScaledClock } from "./scaled-clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("ScaledClock", () => {
  it("runs `speed` times faster than the wall clock from its origin", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const clock = new ScaledClock(60, 1_000_000);
    vi.advanceTimersByTime(1_000);
    expect(clock.now()).toBe(1_000_000 + 60_000);
  });

  it("can start in the past, so days of history end before real time", () => {
    const day = 86_400_000;
    vi.useFakeTimers({ now: 10 * day });
    const clock = new ScaledClock(3_600, 10 * day, 4 * day);
    expect(clock.now()).toBe(4 * day);
    vi.advanceTimersByTime(72_000); // 72 s at 3,600× is three days
    expect(clock.now()).toBe(7 * day);
  });

  it("refuses a speed, origin or start that makes no sense", () => {
    expect(() => new ScaledClock(0, Date.now() - 1)).toThrow(
      "clock speed must be a positive number",
    );
    expect(() => new ScaledClock(2, Date.now() + 60_000)).toThrow("clock origin must be a past");
    expect(() => new ScaledClock(2, Date.now() - 1, Number.NaN)).toThrow(
      "clock start must be epoch ms",
    );
  });
});
