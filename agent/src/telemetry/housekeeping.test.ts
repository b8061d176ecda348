import { LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { SerialWork } from "../runtime/serial-work.js";
import { HOUSEKEEPING_MS, Housekeeping } from "./housekeeping.js";

const START = Date.UTC(2024, 0, 1, 12);

/** Housekeeping over a retention and a budget that record when they run. */
function housekeeping(options: { failEviction?: boolean } = {}) {
  const calls: string[] = [];
  const work = new SerialWork();
  let now = START;
  const { logger, at } = recordingLogger();
  const keeper = new Housekeeping({
    retention: {
      evictExpired: async (when) => {
        calls.push(`evict@${when - START}`);
        if (options.failEviction) throw new Error("disk gone");
        return [];
      },
    },
    budget: {
      enforce: async (when) => {
        calls.push(`budget@${when - START}`);
        return 0;
      },
    },
    schedule: (job) => work.run(job),
    now: () => now,
    logger,
  });
  return {
    keeper,
    calls,
    idle: () => work.idle(),
    setNow: (at: number) => {
      now = at;
    },
    errors: () => at(LEVEL.error),
  };
}

describe("Housekeeping", () => {
  it("evicts and enforces the budget on the first tick, then hourly", async () => {
    const { keeper, calls } = housekeeping();
    for (const offset of [0, 10_000, HOUSEKEEPING_MS - 1, HOUSEKEEPING_MS]) {
      await keeper.afterTick(START + offset, false);
    }
    expect(calls).toEqual([
      "evict@0",
      "budget@0",
      `evict@${HOUSEKEEPING_MS}`,
      `budget@${HOUSEKEEPING_MS}`,
    ]);
  });

  it("runs at a day's roll-over even within the hour, and counts the hour from there", async () => {
    const { keeper, calls } = housekeeping();
    await keeper.afterTick(START, false);
    await keeper.afterTick(START + 60_000, true);
    await keeper.afterTick(START + HOUSEKEEPING_MS, false);
    expect(calls).toEqual(["evict@0", "budget@0", "evict@60000", "budget@60000"]);
  });

  it("resume() evicts at the given time and leaves the budget to the first tick", async () => {
    const { keeper, calls } = housekeeping();
    await keeper.resume(START + 5);
    expect(calls).toEqual(["evict@5"]);
  });

  it("an acknowledgement queues an eviction at the time it runs, and logs its failure", async () => {
    const { keeper, calls, idle, setNow, errors } = housekeeping({ failEviction: true });
    keeper.dayAcknowledged();
    setNow(START + 7);
    await idle();
    expect(calls).toEqual(["evict@7"]);
    expect(errors().map((line) => line.msg)).toEqual(["local eviction failed: disk gone"]);
  });
});
