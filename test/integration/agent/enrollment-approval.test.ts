/**
 * Agents enrolling against a real relay on loopback with what an admin gave them: a one-time token,
 * or the shared secret for a device ID the relay knows, which waits for an admin's decision (the
 * agent says so once, keeps asking, and keeps its request across a restart).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Agent } from "@outpost/agent";
import { PENDING_ENROLLMENT_FILE } from "@outpost/agent";
import type {
  DeviceId,
  EnrollmentTokenIssued,
  PendingEnrollmentSummary,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { startFleet, type TestFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

/** An admin's call to the relay's HTTP, with the fleet's first admin token. */
async function asAdmin<T>(fleet: TestFleet, method: string, path: string, body?: unknown) {
  const response = await fetch(`${fleet.relayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${fleet.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** An agent of `fleet` in a folder of its own, with its log recorded. */
async function agentOf(
  fleet: TestFleet,
  options: { enrollmentToken?: string; secret?: boolean; deviceId?: DeviceId; folder?: string },
) {
  const { logger, at, lines } = recordingLogger();
  const dataDirectory = options.folder ?? (await cleanup.tempFolder("agent"));
  const agent: Agent = await fleet.startAgent({
    dataDirectory,
    logger,
    ...(options.secret === false ? { enrollmentSecret: undefined } : {}),
    ...(options.enrollmentToken === undefined ? {} : { enrollmentToken: options.enrollmentToken }),
    ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
  });
  return { agent, at, lines, dataDirectory };
}

describe("an agent with a one-time enrollment token", () => {
  it("enrolls once; a second agent with the same token is refused, saying why", async () => {
    const fleet = await startFleet(cleanup);
    const issued = (
      await asAdmin<EnrollmentTokenIssued>(fleet, "POST", "/v1/enrollment-tokens", {})
    ).body;
    const first = await agentOf(fleet, { enrollmentToken: issued.token, secret: false });
    await eventually(() => first.agent.link.isOnline(), "the agent to enroll and connect");
    expect(first.agent.link.enrollment).toEqual({ kind: "enrolled" });

    const second = await agentOf(fleet, { enrollmentToken: issued.token, secret: false });
    await eventually(
      () => second.at(LEVEL.error).length > 0,
      "the second agent to report the refusal",
    );
    expect(second.at(LEVEL.error).map((line) => line.msg)).toEqual([
      `the relay refused enrollment (HTTP 403): enrollment token ${issued.tokenId} was already used by device ${first.agent.deviceId}; a token enrolls once: ask an admin for a new one; retrying with backoff`,
    ]);
    expect(second.agent.link.enrollment).toEqual({ kind: "enrolling" });
  });

  it("made for a device ID, takes that ID in a new data folder and replaces the device", async () => {
    const fleet = await startFleet(cleanup);
    const old = await agentOf(fleet, {});
    await eventually(() => old.agent.link.isOnline(), "the old agent to connect");
    await old.agent.stop();
    const issued = (
      await asAdmin<EnrollmentTokenIssued>(fleet, "POST", "/v1/enrollment-tokens", {
        deviceId: old.agent.deviceId,
      })
    ).body;
    const reinstalled = await agentOf(fleet, {
      enrollmentToken: issued.token,
      secret: false,
      deviceId: old.agent.deviceId,
    });
    expect(reinstalled.agent.deviceId).toBe(old.agent.deviceId);
    await eventually(() => reinstalled.agent.link.isOnline(), "the reinstalled agent to connect");
    expect(fleet.relay()?.principals.device(old.agent.deviceId)?.deviceDocumentId).toBe(
      reinstalled.agent.device.documentId,
    );
  });
});

describe("an agent whose device ID the relay knows, with the shared secret", () => {
  /**
   * A real agent, connected, and a second install claiming its ID with the secret (a reimaged
   * machine, or someone holding the secret), waiting for an admin.
   */
  async function claimedDevice() {
    const fleet = await startFleet(cleanup);
    const real = await agentOf(fleet, {});
    await eventually(() => real.agent.link.isOnline(), "the real agent to connect");
    const claimant = await agentOf(fleet, { deviceId: real.agent.deviceId });
    await eventually(
      () => claimant.agent.link.enrollment.kind === "waiting-for-approval",
      "the claimant to wait for an admin",
    );
    const waiting = claimant.agent.link.enrollment as { requestId: string };
    return { fleet, real, claimant, waiting };
  }

  it("waits for an admin, says so once, keeps its request across a restart, and enrolls once approved", async () => {
    const { fleet, real, claimant, waiting } = await claimedDevice();
    expect(existsSync(join(claimant.dataDirectory, PENDING_ENROLLMENT_FILE))).toBe(true);
    // Asking again and again is still one line in its log.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const told = claimant.lines.filter((line) => String(line.msg).includes(waiting.requestId));
    expect(told.map((line) => [line.level, line.msg])).toEqual([
      [
        LEVEL.warn,
        `device ${real.agent.deviceId} is already enrolled: re-enrollment request ${waiting.requestId} waits for an admin to approve it (outpost-relay device approve ${waiting.requestId}); asking again with backoff until an admin approves or denies it`,
      ],
    ]);
    expect(real.agent.link.isOnline()).toBe(true);

    // A restart keeps the request: the relay still has one, which the approval is for.
    await claimant.agent.stop();
    const restarted = await agentOf(fleet, {
      deviceId: real.agent.deviceId,
      folder: claimant.dataDirectory,
    });
    await eventually(
      () => restarted.agent.link.enrollment.kind === "waiting-for-approval",
      "the restarted claimant to wait again",
    );
    expect(restarted.agent.link.enrollment).toEqual(waiting);
    const pending = await asAdmin<{ requests: PendingEnrollmentSummary[] }>(
      fleet,
      "GET",
      "/v1/pending-enrollments",
    );
    expect(pending.body.requests.map((request) => request.requestId)).toEqual([waiting.requestId]);
    expect(pending.body.requests[0]?.current).toMatchObject({
      connectedAtRequest: true,
      connectedNow: true,
    });

    await asAdmin(fleet, "POST", `/v1/pending-enrollments/${waiting.requestId}/approve`);
    await eventually(
      () => restarted.agent.link.isOnline(),
      "the approved agent to connect",
      30_000,
    );
    expect(existsSync(join(claimant.dataDirectory, PENDING_ENROLLMENT_FILE))).toBe(false);
    // The device it replaced lost its token.
    await eventually(
      () => real.agent.link.state?.kind === "unauthorized",
      "the replaced agent's token to be refused",
    );
  });

  it("stops asking once an admin denies it, with one error", async () => {
    const { fleet, real, claimant, waiting } = await claimedDevice();
    const { requestId } = waiting;
    await asAdmin(fleet, "POST", `/v1/pending-enrollments/${requestId}/deny`);
    await eventually(
      () => claimant.agent.link.enrollment.kind === "denied",
      "the claimant to learn of the denial",
    );
    expect(claimant.at(LEVEL.error).map((line) => line.msg)).toEqual([
      `the relay refused enrollment (HTTP 410): re-enrollment request ${requestId} was denied by admin:alice: this device collects locally only and asks no more; an admin can make it an enrollment token (outpost-relay enroll-token create --device ${real.agent.deviceId}) for enrollment_token, then restart it`,
    ]);
    expect(existsSync(join(claimant.dataDirectory, PENDING_ENROLLMENT_FILE))).toBe(false);
    expect(real.agent.link.isOnline()).toBe(true);
  });
});
