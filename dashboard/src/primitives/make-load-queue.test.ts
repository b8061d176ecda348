import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LoadQueueOptions, makeLoadQueue } from "./make-load-queue.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A load under way that the test settles. */
interface Pending {
  id: string;
  succeed(): void;
  fail(): void;
}

/**
 * A queue over loads the test settles by hand: `started` lists what it began, in order,
 * `pending` what is still under way, `loaded` what succeeded. Time is the fake clock.
 */
function queueOf(options: Partial<LoadQueueOptions> = {}) {
  const started: string[] = [];
  const pending: Pending[] = [];
  const loaded = new Set<string>();
  const settle = (entry: Pending) => pending.splice(pending.indexOf(entry), 1);
  const queue = makeLoadQueue({
    load: (id) =>
      new Promise<void>((resolve, reject) => {
        started.push(id);
        const entry: Pending = {
          id,
          succeed: () => {
            settle(entry);
            loaded.add(id);
            resolve();
          },
          fail: () => {
            settle(entry);
            reject(new Error(`${id} is unavailable`));
          },
        };
        pending.push(entry);
      }),
    isLoaded: (id) => loaded.has(id),
    concurrency: 2,
    shouldRetry: () => true,
    now: () => Date.now(),
    ...options,
  });
  return { queue, started, pending, loaded };
}

/**
 * Moves the clock by `ms`, then 10 ms more, a millisecond at a time, so the tasks due and those
 * they queue run (a zero-delay timer set while timers run is due a millisecond later).
 */
async function after(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 10; i += 1) await vi.advanceTimersByTimeAsync(1);
}

describe("makeLoadQueue", () => {
  it("loads nothing before start, then urgent requests first and the rest in the order asked", async () => {
    const { queue, started, pending } = queueOf({ concurrency: 1 });
    queue.request("a");
    queue.request("b");
    queue.request("c");
    queue.request("c", true);
    queue.request("d", true);
    queue.request("d"); // still urgent
    await after(1_000);
    expect(started).toEqual([]);

    queue.start();
    for (let i = 0; i < 4; i += 1) {
      await after(0);
      expect(pending).toHaveLength(1);
      pending[0]?.succeed();
    }
    await after(0);
    expect(started).toEqual(["c", "d", "a", "b"]);
  });

  it("runs at most `concurrency` loads at once, each started in a task of its own", async () => {
    const { queue, started, pending } = queueOf({ concurrency: 2 });
    queue.start();
    for (const id of ["a", "b", "c", "d"]) queue.request(id);
    expect(started).toEqual([]);
    await vi.advanceTimersToNextTimerAsync();
    expect(started).toEqual(["a"]);
    await vi.advanceTimersToNextTimerAsync();
    expect(started).toEqual(["a", "b"]);
    await after(100);
    expect(started).toEqual(["a", "b"]);

    pending[0]?.succeed();
    await after(0);
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("drops requests for what is loaded or loading", async () => {
    const { queue, started, pending } = queueOf();
    queue.start();
    queue.request("a");
    await after(0);
    queue.request("a", true);
    pending[0]?.succeed();
    await after(0);
    queue.request("a");
    await after(100);
    expect(started).toEqual(["a"]);
  });

  it("tries a failed load again as long as it has failed so far: 2, 4, 8 s… after, then every 60 s", async () => {
    const triedAt: number[] = [];
    const { queue } = queueOf({
      load: async () => {
        triedAt.push(Date.now());
        throw new Error("unavailable");
      },
    });
    queue.start();
    queue.request("a");
    await vi.advanceTimersByTimeAsync(200_000);
    const first = triedAt[0] ?? 0;
    expect(triedAt.map((at) => Math.round((at - first) / 1_000))).toEqual([
      0, 2, 4, 8, 16, 32, 64, 124, 184,
    ]);
  });

  it("starts over at 2 s once the load has succeeded", async () => {
    const { queue, started, pending, loaded } = queueOf();
    queue.start();
    queue.request("a");
    await after(0);
    pending[0]?.fail();
    await after(3_000);
    pending[0]?.fail();
    await after(5_000);
    pending[0]?.succeed();
    await after(0);
    expect(started).toEqual(["a", "a", "a"]);

    // The FleetDoc names another DeviceDoc for it: loaded no more, and that one fails at first.
    loaded.delete("a");
    queue.request("a");
    await after(0);
    pending[0]?.fail();
    await after(1_980);
    expect(started).toHaveLength(4);
    await after(10);
    expect(started).toHaveLength(5);
  });

  it("does not try again on a timer when shouldRetry says no, but a new request does", async () => {
    const { queue, started, pending } = queueOf({ shouldRetry: () => false });
    queue.start();
    queue.request("a");
    await after(0);
    pending[0]?.fail();
    await after(120_000);
    expect(started).toEqual(["a"]);

    queue.request("a");
    await after(0);
    expect(started).toEqual(["a", "a"]);
  });

  it("starts nothing more once closed, neither queued loads nor retries", async () => {
    const { queue, started, pending } = queueOf({ concurrency: 1 });
    queue.start();
    queue.request("a");
    queue.request("b");
    queue.request("c");
    await after(0);
    pending[0]?.fail();
    await after(0);
    expect(started).toEqual(["a", "b"]);
    queue.close();
    pending[0]?.succeed();
    await after(120_000);
    expect(started).toEqual(["a", "b"]);
  });
});
