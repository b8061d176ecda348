/**
 * The device policy with verification (docs/ARCHITECTURE.md, "Trust"), over an in-memory DeviceDoc
 * and a real fleet root: an admin's signed settings apply; unsigned, forged or revoked ones are
 * refused and audited, and what is in force stays.
 */
import {
  type AuditEntry,
  DEFAULT_POLICY,
  draftPolicy,
  type FleetTrust,
  recordSigner,
  signPolicy,
  silentLogger,
  writePolicy,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { type MemoryDevice, memoryDevice } from "../testing/memory-device.js";
import { memoryTrust } from "../testing/memory-trust.js";
import { AgentTrust } from "../trust/agent-trust.js";
import type { TrustSource } from "../trust/trust-status.js";
import { DevicePolicy } from "./device-policy.js";

const cleanup = cleanupAfterEach();

async function startPolicy(memory: MemoryDevice, trust: TrustSource) {
  const audit: AuditEntry[] = [];
  const { logger, at } = recordingLogger();
  const policy = new DevicePolicy({
    device: memory.device,
    actor: `agent:${memory.deviceId}`,
    now: Date.now,
    audit: (entry) => audit.push(entry),
    logger,
    trust,
    deviceId: memory.deviceId,
  });
  await policy.start({ samplingIntervalS: 60, retainDays: 2 });
  cleanup.defer(() => policy.stop());
  return { policy, audit, warnings: () => at(LEVEL.warn) };
}

describe("DevicePolicy, verifying what admins set", () => {
  it("applies a signed setting; refuses an unsigned one, audited as the agent's refusal", async () => {
    const memory = await memoryDevice(cleanup, "policy-signed");
    const fleet = await memoryTrust(memory);
    const alice = await fleet.admin("alice");
    const { policy, audit, warnings } = await startPolicy(memory, fleet.trust);
    await alice.editPolicy(memory.device, { samplingIntervalS: 300 });
    await eventually(() => policy.current.samplingIntervalS === 300, "the signed setting applied");
    expect(audit.at(-1)).toMatchObject({
      actor: "admin:alice",
      action: "policy-applied",
      detail: "samplingIntervalS: 60 → 300",
    });

    // A writer with no key sets allowShell in alice's name.
    memory.device.change((doc) =>
      writePolicy(doc, draftPolicy({ allowShell: true, samplingIntervalS: 5 }, alice.actor())),
    );
    await eventually(() => audit.some((e) => e.action === "policy-refused"), "the refusal");
    expect(policy.current).toMatchObject({ allowShell: false, samplingIntervalS: 300 });
    expect(audit.filter((e) => e.action === "policy-refused")).toEqual([
      {
        at: expect.any(Number),
        actor: `agent:${memory.deviceId}`,
        action: "policy-refused",
        detail:
          "policy.samplingIntervalS: signature-missing: unsigned (admin:alice) (written as admin:alice); " +
          "policy.allowShell: signature-missing: unsigned (admin:alice) (written as admin:alice)",
      },
    ]);
    expect(warnings().filter((line) => line.msg.includes("policy settings refused"))).toHaveLength(
      1,
    );
  });

  it("refuses a register signed for another device, and a malformed one its admin signed", async () => {
    const memory = await memoryDevice(cleanup, "policy-forged");
    const fleet = await memoryTrust(memory);
    const alice = await fleet.admin("alice");
    const mallory = await fleet.admin("mallory");
    const { policy, audit } = await startPolicy(memory, fleet.trust);
    const other = await memoryDevice(cleanup, "policy-other", 0, "laptop-2");
    await alice.editPolicy(other.device, { allowShell: true });
    memory.device.change((doc) => {
      const copied = other.device.doc().policy.allowShell;
      if (copied) doc.policy.allowShell = structuredClone(copied);
      recordSigner(doc, alice.signer.certificate);
    });
    await eventually(() => audit.some((e) => e.action === "policy-refused"), "the refusal");
    expect(audit.at(-1)?.detail).toMatch(
      /^policy\.allowShell: signature-invalid: the signature of alice's key does not match this policy-setting on laptop-1/,
    );
    // A replica that skips validation: mallory signs a sampling interval of 0.
    const bad = await signPolicy(mallory.signer, memory.deviceId, {
      samplingIntervalS: { value: 0, setBy: "admin:mallory", setAt: Date.now() },
    });
    memory.device.change((doc) => {
      writePolicy(doc, bad);
      recordSigner(doc, mallory.signer.certificate);
    });
    await eventually(
      () => audit.at(-1)?.detail.includes("policy.samplingIntervalS") === true,
      "the malformed setting refused",
    );
    // Signed, so it is mallory's refusal; the one in force (the agent's own) stays.
    expect(audit.at(-1)).toMatchObject({ actor: "admin:mallory", action: "policy-refused" });
    expect(policy.current).toMatchObject({ samplingIntervalS: 60, allowShell: false });
  });

  it("drops a setting whose signer is revoked, back to the agent's own value", async () => {
    const memory = await memoryDevice(cleanup, "policy-revoked");
    const fleet = await memoryTrust(memory);
    const alice = await fleet.admin("alice");
    const { policy, audit } = await startPolicy(memory, fleet.trust);
    await alice.editPolicy(memory.device, { allowShell: true });
    await eventually(() => policy.current.allowShell, "allowShell applied");
    await fleet.revoke(alice.signer);
    await eventually(() => !policy.current.allowShell, "allowShell withdrawn");
    expect(audit.filter((e) => e.action === "policy-refused").at(-1)?.detail).toMatch(
      /^policy\.allowShell: signer-revoked: key .* of admin alice was revoked/,
    );
  });

  it("applies no admin setting without a root, and waits for one while it is awaited", async () => {
    const memory = await memoryDevice(cleanup, "policy-unpinned");
    const fleet = await memoryTrust(memory);
    const alice = await fleet.admin("alice");
    await alice.editPolicy(memory.device, { samplingIntervalS: 300 });
    const trust = new AgentTrust({ store: memory.store, repo: memory.repo, logger: silentLogger });
    cleanup.defer(() => trust.stop());
    const { policy, audit } = await startPolicy(memory, trust);
    // Awaiting: the agent's own settings, and nothing refused yet.
    expect(policy.current.samplingIntervalS).toBe(60);
    expect(audit.filter((e) => e.action !== "policy-applied")).toEqual([]);
    trust.markAbsent("no root in this test");
    await eventually(() => audit.some((e) => e.action === "policy-refused"), "the refusal");
    expect(audit.at(-1)?.detail).toBe(
      "policy.samplingIntervalS: signer-unknown: this agent has no root key pinned (written as admin:alice)",
    );
    expect(policy.current.samplingIntervalS).toBe(60);
    // Pinned later (a relay that now names a root): the signed setting applies.
    await trust.pin(fleet.fleetTrust as FleetTrust, "given by the test");
    await eventually(() => policy.current.samplingIntervalS === 300, "applied once pinned");
    expect(DEFAULT_POLICY.samplingIntervalS).not.toBe(300);
  });
});
