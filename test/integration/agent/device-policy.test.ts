/**
 * The device policy as admins change it through a real relay: the agent seeds it from its config
 * file, applies an admin's edit (the sampling interval and retention change on the device), audits
 * who changed what, refuses a bad setting while keeping the one in force, and keeps an admin's
 * values over its config file across a restart.
 */

import { type Agent, SimulatedClock } from "@outpost/agent";
import {
  type AuditEntry,
  type Day,
  type DeviceDoc,
  dayOf,
  readRange,
  type TelemetryDayDoc,
  updatePolicy,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { adminReplica, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();
const START = Date.parse("2026-11-21T08:00:00Z");
const MINUTE = 60_000;

async function auditOf(agent: Agent, day: Day): Promise<AuditEntry[]> {
  const handle = await agent.days.handle(day);
  return handle?.doc().audit ?? [];
}

async function sampleTimes(agent: Agent, from: number, to: number): Promise<number[]> {
  const handle = await agent.days.handle(dayOf(from));
  const doc = handle?.doc() as TelemetryDayDoc;
  return [...readRange([doc], from, to).t].map((seconds) => seconds * 1000);
}

describe("the device policy", () => {
  it("is seeded from the config, follows an admin's edits through the relay, and audits them", {
    timeout: 60_000,
  }, async () => {
    const fleet = await startFleet(cleanup);
    const agentData = await cleanup.tempFolder("agent");
    const clock = new SimulatedClock(START);
    clock.holdAt(START + 10 * MINUTE);
    const { logger, at } = recordingLogger();
    const start = () =>
      fleet.startAgent({
        dataDirectory: agentData,
        clock,
        logger,
        sampleIntervalS: 60,
      });
    let agent = await start();
    await clock.whenHeld();
    const today = dayOf(START);

    // The config file's setting is the agent's own (not written into the document: nobody
    // signed it), and audited as such.
    expect(agent.policy.current.samplingIntervalS).toBe(60);
    expect(agent.device.doc().policy.samplingIntervalS).toBeUndefined();
    expect(await auditOf(agent, today)).toContainEqual(
      expect.objectContaining({
        actor: `agent:${agent.deviceId}`,
        action: "policy-applied",
        detail: expect.stringContaining("samplingIntervalS: 10 → 60"),
      }),
    );

    // An admin sets 5 min sampling and 5 days of retention.
    await eventually(() => agent.link.isOnline(), "the agent connecting");
    const admin = adminReplica(fleet.port, fleet.adminToken, cleanup);
    const device = await admin.find<DeviceDoc>(agent.device.url);
    device.change((doc) =>
      updatePolicy(
        doc,
        { samplingIntervalS: 300, retainDays: 5 },
        { by: "admin:alice", at: START },
      ),
    );
    await eventually(() => agent.policy.current.samplingIntervalS === 300, "the policy applied");
    const changedAt = clock.now();
    clock.release(START + 60 * MINUTE);
    await clock.whenHeld();
    const after = await sampleTimes(agent, changedAt + 1, START + 60 * MINUTE);
    expect(after.length).toBeGreaterThanOrEqual(9);
    // Every tick after the edit falls on a multiple of 5 min: the new interval, aligned.
    expect(after.filter((at) => at % (5 * MINUTE) !== 0)).toEqual([]);
    expect(await auditOf(agent, today)).toContainEqual({
      at: expect.any(Number),
      actor: "admin:alice",
      action: "policy-applied",
      detail: "samplingIntervalS: 60 → 300; retainDays: 2 → 5",
    });

    // A replica that skips validation writes a bad interval: refused, the one in force stays.
    device.change((doc) => {
      doc.policy.samplingIntervalS = { value: 0, setBy: "admin:mallory", setAt: START + 2 };
    });
    await eventually(
      async () => (await auditOf(agent, today)).some((e) => e.action === "policy-refused"),
      "the refusal audited",
    );
    expect(agent.policy.current.samplingIntervalS).toBe(300);
    expect(await auditOf(agent, today)).toContainEqual(
      expect.objectContaining({
        actor: "admin:mallory",
        action: "policy-refused",
        detail: expect.stringContaining("policy.samplingIntervalS"),
      }),
    );
    expect(
      at(LEVEL.warn).filter((line) => line.msg.includes("policy settings refused")),
    ).toHaveLength(1);

    // Restarted with the same config file: the admin's retention wins over it.
    device.change((doc) =>
      updatePolicy(doc, { samplingIntervalS: 120 }, { by: "admin:alice", at: START + 1 }),
    );
    await eventually(() => agent.policy.current.samplingIntervalS === 120, "the fix applied");
    await agent.stop();
    agent = await start();
    expect(agent.policy.current).toMatchObject({ samplingIntervalS: 120, retainDays: 5 });
    expect(at(LEVEL.info).some((line) => line.msg.includes("overrides the config file"))).toBe(
      true,
    );
  });
});
