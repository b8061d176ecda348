/**
 * The disk budget: an offline device past its budget downsamples its oldest unsynced
 * days, never drops one, says so in the audit trail, and once the relay has stored days, deletes
 * those first.
 */

import { SimulatedClock } from "@outpost/agent";
import { type AuditEntry, DAY_MS, type Day, toPlain } from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { samplesOnRelayDisk, startFleet, untilAcknowledged } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

const START = Date.parse("2026-11-10T00:00:00Z");
const CLOSED = ["2026-11-10", "2026-11-11", "2026-11-12"] as Day[];

describe("the disk budget", () => {
  it("downsamples unsynced days (never drops them), audits it, and evicts synced days first", {
    timeout: 120_000,
  }, async () => {
    const fleet = await startFleet(cleanup, { stopped: true });
    const agentData = await cleanup.tempFolder("agent");
    const { logger, at } = recordingLogger();
    const clock = new SimulatedClock(START);
    clock.holdAt(START + 3 * DAY_MS);
    const agent = await fleet.startAgent({
      dataDirectory: agentData,
      clock,
      logger,
      // Far below what three days take: everything that can be downsampled will be.
      diskBudgetBytes: 1024,
      retainDays: 30,
    });
    await clock.whenHeld();

    // Each closed day went 60 s → 5 min → 15 min → 1 h, the coarsest step: 24 rows a day.
    for (const day of CLOSED) {
      const doc = (await agent.days.handle(day))?.doc();
      expect(doc?.intervalS, day).toBe(3_600);
      expect(Object.values(doc?.hours ?? {}).reduce((n, h) => n + h.t.length, 0)).toBe(24);
      expect(agent.device.doc().telemetry[day]?.samples).toBe(24);
      // The rollup still summarises every original sample.
      expect(agent.device.doc().telemetry[day]?.rollup?.cpu?.count).toBe(1_440);
      // Its own three steps (a day document also holds the entries of the day it was today).
      const audit = toPlain<AuditEntry[]>(doc?.audit ?? []);
      const own = audit.filter((entry) => entry.detail.startsWith(`day ${day}:`));
      expect(own.map((entry) => entry.action)).toEqual([
        "telemetry-downsampled",
        "telemetry-downsampled",
        "telemetry-downsampled",
      ]);
    }
    const today = await agent.days.handle("2026-11-13" as Day);
    const audited = toPlain<AuditEntry[]>(today?.doc().audit ?? []).filter(
      (e) => e.action === "telemetry-downsampled",
    );
    expect(audited.length).toBeGreaterThan(0);
    expect(audited[0]?.detail).toMatch(
      /1440 samples at 60 s became 288 at 300 s .* over its 0\.0 MiB budget/,
    );
    // Nothing left to shrink: said once, as an error, not every hour.
    const stuck = at(LEVEL.error).filter((line) => line.msg.includes("over its"));
    expect(stuck).toHaveLength(1);

    // The relay returns: the downsampled days reach it, and being over budget, the agent deletes
    // them as soon as they are acknowledged, well before their 30 days of retention.
    const relay = await fleet.startRelay();
    const urls = CLOSED.map((day) => agent.days.urlOf(day) as string);
    await untilAcknowledged(agent, CLOSED);
    clock.release(START + 3 * DAY_MS + 3_600_000); // the next hourly budget check
    await clock.whenHeld();
    await eventually(
      () => CLOSED.every((day) => agent.store.state.days[day]?.evictedAt !== undefined),
      "early eviction of acknowledged days",
    );
    await agent.stop();
    await relay.stop();
    expect(await samplesOnRelayDisk(fleet.relayData, urls)).toEqual([24, 24, 24]);
  });
});
