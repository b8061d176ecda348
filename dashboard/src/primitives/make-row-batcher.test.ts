import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeRowBatcher } from "./make-row-batcher.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A batcher flushing every 50 ms that records what each flush handed over. */
function recorded() {
  const flushes: Record<string, number>[] = [];
  const batcher = makeRowBatcher<number>(50, (rows) => flushes.push(Object.fromEntries(rows)));
  return { batcher, flushes };
}

describe("makeRowBatcher", () => {
  it("hands over every row queued within the interval in one flush, the newest per key", () => {
    const { batcher, flushes } = recorded();
    batcher.queue("a", 1);
    batcher.queue("b", 1);
    vi.advanceTimersByTime(30);
    batcher.queue("a", 2);
    expect(batcher.queued("a")).toBe(2);
    vi.advanceTimersByTime(19);
    expect(flushes).toEqual([]);

    vi.advanceTimersByTime(1);
    expect(flushes).toEqual([{ a: 2, b: 1 }]);
    expect(batcher.queued("a")).toBeUndefined();
  });

  it("starts a new interval with the first row queued after a flush", () => {
    const { batcher, flushes } = recorded();
    batcher.queue("a", 1);
    vi.advanceTimersByTime(50);
    vi.advanceTimersByTime(200);
    expect(flushes).toEqual([{ a: 1 }]);

    batcher.queue("a", 3);
    vi.advanceTimersByTime(49);
    expect(flushes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(flushes).toEqual([{ a: 1 }, { a: 3 }]);
  });

  it("drops what is queued on close and flushes nothing after", () => {
    const { batcher, flushes } = recorded();
    batcher.queue("a", 1);
    batcher.close();
    batcher.queue("b", 1);
    vi.advanceTimersByTime(1_000);
    expect(flushes).toEqual([]);
    expect(batcher.queued("a")).toBeUndefined();
  });
});
