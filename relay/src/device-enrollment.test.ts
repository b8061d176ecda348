/**
 * Enrollment that cannot take a device over, against a real relay on loopback: the shared secret
 * with a known device ID only asks an admin, whose approval only the requester can collect; one-time
 * enrollment tokens enroll once, in time, for the ID they were made for.
 */
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import type {
  DeviceId,
  EnrollmentTokenIssued,
  EnrollPendingResponse,
  FleetDoc,
  PendingEnrollmentSummary,
} from "@outpost/shared-model";
import { deviceDocUrlOf, silentLogger } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { DeviceLifecycle } from "./state/device-lifecycle.js";
import { OwnershipStore } from "./state/ownership-store.js";
import { PrincipalStore } from "./state/principal-store.js";
import { adminCall } from "./testing/admin-http.js";
import {
  closeOf,
  connectedTo,
  enrollDevice,
  openRawSocket,
  postEnroll,
} from "./testing/clients.js";
import { relayPerTest, type TestRelay } from "./testing/relay-fixture.js";
import { rejectionCount } from "./testing/relay-http.js";

const started = relayPerTest();

/** `laptop-a` enrolled and connected over a raw socket, as the real device. */
async function realDevice(relay: TestRelay["relay"]) {
  const device = await enrollDevice(relay, "laptop-a");
  await device.repo.shutdown();
  const outcome = await openRawSocket(`${relay.syncUrl}?token=${device.token}`);
  if (outcome.kind !== "open") throw new Error("laptop-a could not connect");
  return { ...device, socket: outcome.socket, closed: closeOf(outcome.socket) };
}

describe("the shared secret with a known device ID", () => {
  it("replaces nothing: it asks an admin, and the real device keeps working", async () => {
    const { relay, adminToken } = await started();
    const real = await realDevice(relay);
    const impostorDoc = generateAutomergeUrl();
    const asked = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "impostor.example",
      deviceDocUrl: impostorDoc,
    });
    expect(asked.status).toBe(202);
    const pending = asked.body as unknown as EnrollPendingResponse;
    expect(pending).toMatchObject({
      status: "pending",
      requestId: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(pending.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.message).toContain(`outpost-relay device approve ${pending.requestId}`);
    expect(relay.principals.device("laptop-a")?.deviceDocumentId).toBe(real.deviceDoc.documentId);
    expect(real.socket.readyState).toBe(real.socket.OPEN);

    // What an admin sees to decide.
    const listed = await adminCall<{ requests: PendingEnrollmentSummary[] }>(
      relay.url,
      adminToken,
      "GET",
      "/v1/pending-enrollments",
    );
    expect(listed.body.requests).toEqual([
      {
        requestId: pending.requestId,
        deviceId: "laptop-a",
        hostname: "impostor.example",
        deviceDocUrl: impostorDoc,
        remoteAddress: "127.0.0.1",
        requestedAt: expect.any(Number),
        status: "pending",
        current: {
          hostname: "laptop-a.example",
          deviceDocUrl: real.deviceDoc.url,
          status: "active",
          enrolledAt: expect.any(Number),
          connectedAtRequest: true,
          connectedNow: true,
        },
      },
    ]);
    expect(
      (
        await adminCall(
          relay.url,
          adminToken,
          "POST",
          `/v1/pending-enrollments/${pending.requestId}/deny`,
        )
      ).status,
    ).toBe(200);
    const collect = {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "impostor.example",
      deviceDocUrl: impostorDoc,
      pendingRequestId: pending.requestId,
      pendingNonce: pending.nonce,
    };
    expect(await postEnroll(relay, collect)).toEqual({
      status: 410,
      body: { error: `re-enrollment request ${pending.requestId} was denied by admin:alice` },
    });
    expect(await rejectionCount(relay.url, "enroll-pending-denied")).toBe(1);
    expect(real.socket.readyState).toBe(real.socket.OPEN);
    real.socket.close();
  });

  it("once approved, gives the token to the requester alone, once, and replaces the device", async () => {
    const { relay, adminToken, connect } = await started();
    const real = await realDevice(relay);
    const newDoc = generateAutomergeUrl();
    const request = {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "laptop-a-reinstalled.example",
      deviceDocUrl: newDoc,
    };
    const pending = (await postEnroll(relay, request)).body as unknown as EnrollPendingResponse;
    const collect = {
      ...request,
      pendingRequestId: pending.requestId,
      pendingNonce: pending.nonce,
    };
    // Asking again before anyone decided: still waiting.
    expect(await postEnroll(relay, collect)).toMatchObject({
      status: 202,
      body: { status: "pending", requestId: pending.requestId },
    });

    const approved = await adminCall<{ request: PendingEnrollmentSummary }>(
      relay.url,
      adminToken,
      "POST",
      `/v1/pending-enrollments/${pending.requestId}/approve`,
    );
    expect(approved.body.request).toMatchObject({ status: "approved", decidedBy: "admin:alice" });
    // Someone else with the secret, the request ID but not its nonce, gets nothing.
    const stranger = await postEnroll(relay, {
      ...collect,
      pendingNonce: "not-the-nonce-not-the-nonce-not-the-nonce00",
    });
    expect(stranger).toEqual({
      status: 404,
      body: {
        error: `no re-enrollment request ${pending.requestId} with this nonce; enroll again`,
      },
    });
    expect(await rejectionCount(relay.url, "enroll-pending-unknown")).toBe(1);
    // Nor for another DeviceDoc than the one the admin approved.
    expect(
      (await postEnroll(relay, { ...collect, deviceDocUrl: generateAutomergeUrl() })).status,
    ).toBe(400);

    const collected = await postEnroll(relay, collect);
    expect(collected).toMatchObject({ status: 200, body: { rotated: true } });
    expect(await real.closed).toEqual({ code: 4001, reason: "token of device:laptop-a revoked" });
    const fresh = await openRawSocket(`${relay.syncUrl}?token=${collected.body.deviceToken}`);
    expect(fresh.kind).toBe("open");
    if (fresh.kind === "open") fresh.socket.close();
    expect(relay.principals.device("laptop-a")).toMatchObject({
      hostname: "laptop-a-reinstalled.example",
      deviceDocumentId: newDoc.slice("automerge:".length),
    });
    // Once: the nonce collects nothing more.
    expect(await postEnroll(relay, collect)).toEqual({
      status: 404,
      body: { error: `re-enrollment request ${pending.requestId} is collected; enroll again` },
    });
    const admin = connect({ kind: "admin", name: "alice" }, adminToken);
    await connectedTo(admin, relay.peerId);
    const fleet = await admin.find<FleetDoc>(relay.fleetDocUrl as never);
    await eventually(
      () => deviceDocUrlOf(fleet.doc(), "laptop-a" as DeviceId) === newDoc,
      "the FleetDoc to point at the new DeviceDoc",
    );
  });

  it("is decided from the CLI too, and a denial stands", async () => {
    const { relay, dataDirectory } = await started();
    const real = await realDevice(relay);
    real.socket.close();
    const request = {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "laptop-a.example",
      deviceDocUrl: real.deviceDoc.url,
    };
    const pending = (await postEnroll(relay, request)).body as unknown as EnrollPendingResponse;
    // What `outpost-relay device deny REQUEST_ID` does: append to the data folder's journal.
    const cli = new DeviceLifecycle(
      await PrincipalStore.open(dataDirectory, silentLogger),
      await OwnershipStore.open(dataDirectory, silentLogger),
    );
    expect(cli.pendingRequests()).toMatchObject([
      { requestId: pending.requestId, current: { connectedAtRequest: true } },
    ]);
    await cli.decide(pending.requestId, "denied", "cli:ops");
    await expect(cli.decide(pending.requestId, "approved", "cli:ops")).rejects.toThrow(
      `re-enrollment request ${pending.requestId} of device laptop-a is denied; it cannot be approved now`,
    );
    const collect = {
      ...request,
      pendingRequestId: pending.requestId,
      pendingNonce: pending.nonce,
    };
    await eventually(
      async () => (await postEnroll(relay, collect)).status === 410,
      "the running relay to see the denial",
    );
    expect(cli.pendingRequests()).toEqual([]);
    expect(cli.pendingRequests({ all: true })).toMatchObject([
      { status: "denied", decidedBy: "cli:ops" },
    ]);
  });
});

describe("one-time enrollment tokens", () => {
  async function createToken(
    relay: TestRelay["relay"],
    adminToken: string,
    body: Record<string, unknown> = {},
  ): Promise<EnrollmentTokenIssued> {
    const answer = await adminCall<EnrollmentTokenIssued>(
      relay.url,
      adminToken,
      "POST",
      "/v1/enrollment-tokens",
      body,
    );
    expect(answer.status).toBe(201);
    return answer.body;
  }

  const enrollWith = (relay: TestRelay["relay"], token: string, deviceId: string) =>
    postEnroll(relay, {
      enrollmentToken: token,
      deviceId,
      hostname: `${deviceId}.example`,
      deviceDocUrl: generateAutomergeUrl(),
    });

  it("enrolls one new device once, and comes with its install commands", async () => {
    const { relay, adminToken } = await started();
    const issued = await createToken(relay, adminToken, { ttlSeconds: 7_200 });
    expect(issued.token).toMatch(/^opt_[A-Za-z0-9_-]{43}$/);
    expect(issued.expiresAt - Date.now()).toBeGreaterThan(7_100_000);
    expect(issued.relayUrl).toBe(relay.url);
    // The commands pin the fleet: a new agent refuses a relay that names another root.
    const fleet = relay.principals.adminKeys.root?.fleet as string;
    expect(issued.rootKeyFingerprint).toBe(fleet);
    expect(issued.install.shell).toBe(
      `curl -fsSL '${relay.url}/v1/agent/install.sh' | sudo sh -s -- --relay '${relay.url}' --token '${issued.token}' --root-fingerprint '${fleet}'`,
    );
    expect(issued.install.powershell).toContain(
      `Invoke-RestMethod '${relay.url}/v1/agent/install.ps1'))) -Relay '${relay.url}' -Token '${issued.token}' -RootFingerprint '${fleet}'`,
    );

    expect(await enrollWith(relay, issued.token, "laptop-new")).toMatchObject({
      status: 200,
      body: { rotated: false },
    });
    expect(await enrollWith(relay, issued.token, "laptop-other")).toEqual({
      status: 403,
      body: {
        error: `enrollment token ${issued.tokenId} was already used by device laptop-new; a token enrolls once: ask an admin for a new one`,
      },
    });
    expect(await rejectionCount(relay.url, "enroll-token-used")).toBe(1);
    const listed = await adminCall<{ tokens: { tokenId: string; usedBy?: string }[] }>(
      relay.url,
      adminToken,
      "GET",
      "/v1/enrollment-tokens",
    );
    expect(listed.body.tokens).toMatchObject([{ tokenId: issued.tokenId, usedBy: "laptop-new" }]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.token);
  });

  it("refuses unknown, expired, revoked and other devices' tokens, each counted", async () => {
    const { relay, adminToken } = await started();
    await enrollDevice(relay, "laptop-a").then((device) => device.repo.shutdown());
    const tokens = relay.principals.enrollmentTokens;
    const expired = await tokens.create(
      { ttlMs: 3_600_000, by: "admin:alice" },
      Date.now() - 2 * 3_600_000,
    );
    const forB = await createToken(relay, adminToken, { deviceId: "laptop-b" });
    const general = await createToken(relay, adminToken);
    const revoked = await createToken(relay, adminToken);
    expect(
      (
        await adminCall(
          relay.url,
          adminToken,
          "POST",
          `/v1/enrollment-tokens/${revoked.tokenId}/revoke`,
        )
      ).status,
    ).toBe(200);

    expect(await enrollWith(relay, "opt_nothing-like-it", "laptop-c")).toEqual({
      status: 403,
      body: { error: "unknown enrollment token; ask an admin for a new one" },
    });
    expect((await enrollWith(relay, expired.token, "laptop-c")).body.error).toMatch(
      new RegExp(
        `^enrollment token ${expired.record.tokenId} expired at \\d{4}-.*Z; ask an admin for a new one$`,
      ),
    );
    expect(await enrollWith(relay, forB.token, "laptop-c")).toEqual({
      status: 403,
      body: {
        error: `enrollment token ${forB.tokenId} was made for device laptop-b, not laptop-c`,
      },
    });
    // A token for no device enrolls new IDs only: it cannot take laptop-a over.
    expect((await enrollWith(relay, general.token, "laptop-a")).body.error).toBe(
      `device laptop-a is already enrolled and enrollment token ${general.tokenId} enrolls only new devices; an admin can make one for it: outpost-relay enroll-token create --device laptop-a`,
    );
    expect(await enrollWith(relay, revoked.token, "laptop-c")).toEqual({
      status: 403,
      body: { error: `enrollment token ${revoked.tokenId} was revoked` },
    });
    for (const reason of ["unknown", "expired", "wrong-device", "revoked"]) {
      expect(await rejectionCount(relay.url, `enroll-token-${reason}`)).toBe(
        reason === "wrong-device" ? 2 : 1,
      );
    }
    // None of them was spent: the right device still enrolls with its token.
    expect((await enrollWith(relay, forB.token, "laptop-b")).status).toBe(200);
    expect((await enrollWith(relay, general.token, "laptop-c")).status).toBe(200);
  });

  it("made for a device, replaces it: its old token is refused", async () => {
    const { relay, adminToken } = await started();
    const real = await realDevice(relay);
    const issued = await createToken(relay, adminToken, { deviceId: "laptop-a" });
    expect(issued.install.shell).toContain(`--device-id 'laptop-a'`);
    expect(await enrollWith(relay, issued.token, "laptop-a")).toMatchObject({
      status: 200,
      body: { rotated: true },
    });
    expect(await real.closed).toEqual({ code: 4001, reason: "token of device:laptop-a revoked" });
  });

  it("enrolls once when two enrollments race with it", async () => {
    const { relay, adminToken } = await started();
    const issued = await createToken(relay, adminToken);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) => enrollWith(relay, issued.token, `racer-${index}`)),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200, 403]));
    expect(relay.principals.deviceCount()).toBe(1);
  });

  it("lasts at most 30 days, and says so", async () => {
    const { relay, adminToken } = await started();
    const answer = await adminCall(relay.url, adminToken, "POST", "/v1/enrollment-tokens", {
      ttlSeconds: 31 * 86_400,
    });
    expect(answer).toEqual({
      status: 400,
      body: {
        error: "invalid enrollment token request",
        problems: [{ path: "ttlSeconds", message: "at most 30 days (2592000 s)" }],
      },
    });
  });
});
