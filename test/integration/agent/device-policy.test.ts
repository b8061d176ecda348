/**
 * The device policy as admins change it through a real relay: the agent seeds it from its config
 * file, applies an admin's signed edit (the sampling interval and retention change on the device),
 * audits who changed what, refuses a bad setting and a setting nobody signed while keeping the
 * one in force, and keeps an admin's values over its config file across a restart.
 */

import { type Agent, SimulatedClock } from "@outpost/agent";
import {
  type AuditEntry,
  type Day,
  type DeviceDoc,
  dayOf,
  readRange,
  recordSigner,
  signPolicy,
  type TelemetryDayDoc,
  toPlain,
  updatePolicy,
  writePolicy,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { adminReplica, certifiedAdmin, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();
const START = Date.parse("2026-11-21T08:00:00Z");
const MINUTE = 60_000;

async function auditOf(agent: Agent, day: Day): Promise<AuditEntry[]> {
  const handle = await agent.days.handle(day);
  return toPlain<AuditEntry[]>(handle?.doc().audit ?? []);
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
    // The fleet's root, which the agent pins at enrollment, certifies the admins' signing keys.
    const root = fleet.root;
    let adminClock = START;
    const alice = await certifiedAdmin(root, "alice", { now: () => adminClock });
    const mallory = await certifiedAdmin(root, "mallory");
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
    await alice.editPolicy(device, { samplingIntervalS: 300, retainDays: 5 });
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

    // A replica that skips validation writes (and signs) a bad interval: refused, the one in
    // force stays.
    const bad = await signPolicy(mallory.signer, agent.deviceId, {
      samplingIntervalS: { value: 0, setBy: "admin:mallory", setAt: START + 2 },
    });
    device.change((doc) => {
      writePolicy(doc, bad);
      recordSigner(doc, mallory.signer.certificate);
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

    // A writer with an admin token and no key allows shell in alice's name: refused, audited as
    // the agent's refusal naming whom it claims, and shell stays off.
    device.change((doc) =>
      updatePolicy(doc, { allowShell: true }, { by: "admin:alice", at: START + 3 }),
    );
    await eventually(
      async () => (await auditOf(agent, today)).some((e) => e.detail.includes("policy.allowShell")),
      "the unsigned setting refused",
    );
    expect(await auditOf(agent, today)).toContainEqual({
      at: expect.any(Number),
      actor: `agent:${agent.deviceId}`,
      action: "policy-refused",
      detail: expect.stringContaining(
        "policy.allowShell: signature-missing: unsigned (admin:alice) (written as admin:alice)",
      ),
    });
    expect(agent.policy.current.allowShell).toBe(false);

    // Restarted with the same config file: the admin's retention wins over it.
    adminClock = START + 1;
    await alice.editPolicy(device, { samplingIntervalS: 120 });
    await eventually(() => agent.policy.current.samplingIntervalS === 120, "the fix applied");
    await agent.stop();
    agent = await start();
    expect(agent.policy.current).toMatchObject({ samplingIntervalS: 120, retainDays: 5 });
    expect(at(LEVEL.info).some((line) => line.msg.includes("overrides the config file"))).toBe(
      true,
    );
  });
});
