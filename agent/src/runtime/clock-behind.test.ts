/**
 * A device clock that goes back (a dead RTC battery, an NTP correction) must not reopen a closed
 * day: its heads are final and the relay may have acknowledged them.
 */
import { DAY_MS, type Day } from "@outpost/shared-model";
import { cleanupAfterEach, LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { startTestAgent } from "../testing/test-agent.js";
import { SimulatedClock } from "./simulated-clock.js";

const cleanup = cleanupAfterEach();
const DAY_ONE = "2026-11-01" as Day;
const START = Date.parse(`${DAY_ONE}T00:00:00Z`);

describe("a clock that goes back past midnight", () => {
  it("leaves the closed day untouched, says so once, and samples again once time catches up", {
    timeout: 60_000,
  }, async () => {
    const folder = await cleanup.tempFolder("clock-behind");
    const first = new SimulatedClock(START);
    first.holdAt(START + DAY_MS); // day one closes with the first tick of day two
    const before = await startTestAgent({
      dataDirectory: folder,
      relayUrl: "http://127.0.0.1:9",
      clock: first,
    });
    await first.whenHeld();
    const finalHeads = before.store.state.days[DAY_ONE]?.finalHeads;
    await before.stop();
    expect(finalHeads).toBeDefined();

    // Restarted with the clock back at noon of day one, for two hours; then it is corrected.
    const { logger, at } = recordingLogger();
    const behind = new SimulatedClock(START + DAY_MS / 2);
    behind.holdAt(START + DAY_MS / 2 + 2 * 3_600_000);
    const agent = await startTestAgent({
      dataDirectory: folder,
      relayUrl: "http://127.0.0.1:9",
      clock: behind,
      logger,
    });
    cleanup.defer(() => agent.stop());
    await behind.whenHeld();
    expect((await agent.days.handle(DAY_ONE))?.heads()).toEqual(finalHeads);
    expect(agent.store.state.days[DAY_ONE]?.finalHeads).toEqual(finalHeads);
    const failures = at(LEVEL.error).filter((line) => line.msg.startsWith("sampling failed"));
    expect(failures.map((line) => line.msg)).toEqual([
      `sampling failed: the device clock is behind: ${DAY_ONE} is already closed, so samples are skipped until the clock is past it`,
    ]);

    // The clock is corrected (or catches up): day two gets its samples again.
    const dayTwo = "2026-11-02" as Day;
    const count = async () =>
      Object.values((await agent.days.handle(dayTwo))?.doc().hours ?? {}).reduce(
        (rows, bucket) => rows + bucket.t.length,
        0,
      );
    const beforeCatchUp = await count();
    behind.release(START + DAY_MS + 3_600_000);
    await behind.whenHeld();
    expect((await count()) - beforeCatchUp).toBe(61); // 00:00 to 01:00, one a minute
  });
});
