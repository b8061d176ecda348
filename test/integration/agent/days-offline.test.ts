/**
 * Days offline: an agent with a fast injected clock samples three simulated days while
 * its relay is down, then the relay comes up. The relay ends up with every sample; the agent gets
 * the durable acknowledgements and deletes what retention allows, and nothing else.
 */

import { readReplicaStatus, SimulatedClock } from "@outpost/agent";
import { documentOnDisk } from "@outpost/agent/testing";
import { DAY_MS, type Day } from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { samplesOnRelayDisk, startFleet, untilAcknowledged } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

const START = Date.parse("2026-11-16T00:00:00Z");
const DAYS = ["2026-11-16", "2026-11-17", "2026-11-18"] as Day[];
const TICKS_PER_DAY = 1_440; // 60 s interval

describe("an agent offline for three days", () => {
  it("keeps every sample, delivers them all when the relay returns, and evicts only what retention allows", {
    timeout: 120_000,
  }, async () => {
    const fleet = await startFleet(cleanup, { stopped: true });
    const agentData = await cleanup.tempFolder("agent");
    const clock = new SimulatedClock(START);
    clock.holdAt(START + 3 * DAY_MS);
    const agent = await fleet.startAgent({
      dataDirectory: agentData,
      clock,
    });
    await clock.whenHeld();

    // Three closed days plus the first tick of the fourth, all on this disk, none acknowledged.
    const offline = await readReplicaStatus(agentData);
    expect(offline?.enrolledWith).toBeNull();
    expect(offline?.days.map((d) => [d.day, d.closed, d.samples])).toEqual([
      ["2026-11-16", true, TICKS_PER_DAY],
      ["2026-11-17", true, TICKS_PER_DAY],
      ["2026-11-18", true, TICKS_PER_DAY],
      ["2026-11-19", false, 1],
    ]);
    expect(offline?.samplesNotStored).toBe(3 * TICKS_PER_DAY + 1);
    expect(agent.device.doc().telemetry["2026-11-17" as Day]?.rollup?.cpu).toMatchObject({
      count: TICKS_PER_DAY,
      min: 0,
      max: 99.9,
    });

    // The relay comes up: the agent enrolls, syncs, and hears which heads are on the relay's disk.
    const relay = await fleet.startRelay();
    const urls = DAYS.map((day) => agent.days.urlOf(day) as string);
    await untilAcknowledged(agent, DAYS);
    // Retention (2 days) allows only the first day to go: it ended two days before "now".
    const onDisk = (url: string) => documentOnDisk(agentData, url);
    await eventually(async () => !(await onDisk(urls[0] as string)), "eviction of 2026-11-16");
    expect(agent.store.state.days["2026-11-16" as Day]?.evictedAt).toBe(START + 3 * DAY_MS);
    expect(await Promise.all(urls.map(onDisk))).toEqual([false, true, true]);
    expect(agent.store.state.days["2026-11-17" as Day]?.evictedAt).toBeUndefined();

    // A day later, the second day's retention has run out too; the third still stays.
    clock.release(START + 4 * DAY_MS);
    await clock.whenHeld();
    await eventually(async () => !(await onDisk(urls[1] as string)), "eviction of 2026-11-17");
    expect(await onDisk(urls[2] as string)).toBe(true);

    await agent.stop();
    await relay.stop();
    // Every sample of the three offline days is on the relay's disk.
    expect(await samplesOnRelayDisk(fleet.relayData, urls)).toEqual([
      TICKS_PER_DAY,
      TICKS_PER_DAY,
      TICKS_PER_DAY,
    ]);
  });
});
