/**
 * The authorization matrix (ARCHITECTURE.md, "Access"): each way in is tried, and each refusal is
 * the exact one the relay promises, against a real relay on loopback with real websocket clients.
 */

import { join } from "node:path";
import type { DocumentId } from "@automerge/automerge-repo";
import { cbor } from "@automerge/automerge-repo/slim";
import type { DeviceDoc, FleetDoc } from "@outpost/shared-model";
import { deviceDocUrlOf, enqueueCommand, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually, LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { PrincipalStore } from "./state/principal-store.js";
import {
  closeOf,
  connectedTo,
  enrollDevice,
  openRawSocket,
  postEnroll,
} from "./testing/clients.js";
import { relayPerTest } from "./testing/relay-fixture.js";
import { fetchHealth } from "./testing/relay-http.js";

const started = relayPerTest();

describe("at the websocket upgrade", () => {
  it("refuses a connection without a token with HTTP 401, before any websocket exists", async () => {
    const { relay } = await started();
    expect(await openRawSocket(relay.syncUrl)).toEqual({
      kind: "refused",
      status: 401,
      body: { error: "missing token: connect to /sync?token=<token>" },
    });
  });

  it("refuses a wrong token with HTTP 401", async () => {
    const { relay } = await started();
    expect(await openRawSocket(`${relay.syncUrl}?token=opa_not-a-real-token`)).toEqual({
      kind: "refused",
      status: 401,
      body: { error: "invalid or revoked token" },
    });
  });

  it("refuses a token over its connection limit with HTTP 429", async () => {
    const { relay, adminToken } = await started({ limits: { maxConnectionsPerToken: 2 } });
    const url = `${relay.syncUrl}?token=${adminToken}`;
    const open = [await openRawSocket(url), await openRawSocket(url)];
    expect(open.map((outcome) => outcome.kind)).toEqual(["open", "open"]);
    expect(await openRawSocket(url)).toEqual({
      kind: "refused",
      status: 429,
      body: { error: "too many connections for this token (limit 2)" },
    });
    for (const outcome of open) if (outcome.kind === "open") outcome.socket.close();
  });

  it("closes a socket that never joins, so abandoned sockets free the token's slots", async () => {
    const { relay, adminToken } = await started({
      joinTimeoutMs: 200,
      limits: { maxConnectionsPerToken: 1 },
    });
    const url = `${relay.syncUrl}?token=${adminToken}`;
    const silent = await openRawSocket(url);
    if (silent.kind !== "open") throw new Error(`expected an open socket, got ${silent.status}`);
    expect(await closeOf(silent.socket)).toEqual({ code: 1008, reason: "no join message in time" });
    const metrics = await relay.metrics.registry.getSingleMetricAsString(
      "outpost_relay_rejections_total",
    );
    expect(metrics).toContain('reason="join-timeout"} 1');
    // The slot it held is free again, once the relay's side of the socket has closed too: the
    // client may hear of the close first.
    await eventually(
      async () => (await fetchHealth(relay.url)).connections === 0,
      "the relay to drop the closed socket",
    );
    const next = await openRawSocket(url);
    expect(next.kind).toBe("open");
    if (next.kind === "open") next.socket.close();
  });

  it("refuses other paths with 404", async () => {
    const { relay, adminToken } = await started();
    const outcome = await openRawSocket(
      `${relay.url.replace("http", "ws")}/elsewhere?token=${adminToken}`,
    );
    expect(outcome).toMatchObject({ kind: "refused", status: 404 });
  });
});

describe("revocation", () => {
  it("an admin revoked from another process is refused, and its open connection is closed", async () => {
    const { relay, dataDirectory } = await started();
    const bobToken = await relay.principals.addAdmin("bob");
    const outcome = await openRawSocket(`${relay.syncUrl}?token=${bobToken}`);
    if (outcome.kind !== "open") throw new Error("bob could not connect");
    const closed = closeOf(outcome.socket);

    // What `outpost-relay admin revoke bob` does: append to the data folder's journal.
    const cli = await PrincipalStore.open(dataDirectory, silentLogger);
    await cli.revokeAdmin("bob");

    expect(await closed).toEqual({ code: 4001, reason: "token of admin:bob revoked" });
    expect(await openRawSocket(`${relay.syncUrl}?token=${bobToken}`)).toMatchObject({
      kind: "refused",
      status: 401,
      body: { error: "invalid or revoked token" },
    });
  });
});

describe("identity binding", () => {
  it("closes a socket whose join claims another identity", async () => {
    const { relay, adminToken } = await started();
    const outcome = await openRawSocket(`${relay.syncUrl}?token=${adminToken}`);
    if (outcome.kind !== "open") throw new Error("alice could not connect");
    const closed = closeOf(outcome.socket);
    outcome.socket.send(
      cbor.encode({
        type: "join",
        senderId: "admin:mallory:s1",
        peerMetadata: {},
        supportedProtocolVersions: ["1"],
      }),
    );
    expect(await closed).toEqual({
      code: 1008,
      reason: 'join as "admin:mallory:s1" does not belong to admin:alice',
    });
  });

  it("closes a device socket that joins as an admin", async () => {
    const { relay } = await started();
    const device = await enrollDevice(relay, "laptop-a");
    await device.repo.shutdown();
    const outcome = await openRawSocket(`${relay.syncUrl}?token=${device.token}`);
    if (outcome.kind !== "open") throw new Error("device could not connect");
    const closed = closeOf(outcome.socket);
    outcome.socket.send(
      cbor.encode({
        type: "join",
        senderId: "admin:alice:s1",
        peerMetadata: {},
        supportedProtocolVersions: ["1"],
      }),
    );
    expect(await closed).toEqual({
      code: 1008,
      reason: 'join as "admin:alice:s1" does not belong to device:laptop-a',
    });
  });
});

describe("document access", () => {
  it("a device cannot read another device's document", async () => {
    const { relay } = await started();
    const a = await enrollDevice(relay, "laptop-a");
    const b = await enrollDevice(relay, "laptop-b");
    await eventually(
      () => relay.loadedDocumentIds().includes(b.deviceDoc.documentId),
      "B's document on the relay",
    );
    await expect(a.repo.find(b.deviceDoc.url)).rejects.toThrow(/unavailable/);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/outpost_relay_rejections_total\{reason="access-denied"\} [1-9]/);
    await Promise.all([a.repo.shutdown(), b.repo.shutdown()]);
  });

  it("a device cannot read the fleet document", async () => {
    const { relay } = await started();
    const a = await enrollDevice(relay, "laptop-a");
    await expect(a.repo.find(relay.fleetDocUrl as never)).rejects.toThrow(/unavailable/);
    await a.repo.shutdown();
  });

  it("a device owns what it syncs first, up to its document limit", async () => {
    const log = recordingLogger();
    const { relay, dataDirectory } = await started({
      limits: { maxDocumentsPerDevice: 2 },
      logger: log.logger,
    });
    const a = await enrollDevice(relay, "laptop-a"); // owns its DeviceDoc: 1 of 2
    const second = a.repo.create({ day: "2026-11-20" });
    // Owned, not just loaded: the relay loads a new document at its first, content-less sync.
    await eventually(
      async () => (await fetchHealth(relay.url)).ownedDocuments === 2,
      "the second document claimed",
    );
    const third = a.repo.create({ day: "2026-11-21" });
    const metricsHas = async () =>
      /reason="document-limit"\} [1-9]/.test(await (await fetch(`${relay.url}/metrics`)).text());
    await eventually(metricsHas, "the document limit to refuse the third document");
    // The device sees the document unavailable; the relay's log names it and the limit.
    expect(log.at(LEVEL.warn).find((line) => line.reason === "document-limit")).toMatchObject({
      principal: "device:laptop-a",
      documentId: third.documentId,
      msg: `refused ${third.documentId} to device:laptop-a: device owns 2 documents, the limit`,
    });
    // The relay answered the third document's first, empty sync (it could not know yet whether
    // content would follow), but its content was refused: nothing of it is on disk.
    await relay.stop();
    const stored = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      readOnly: true,
    });
    expect(await stored.hasAnyUnder([second.documentId])).toBe(true);
    expect(await stored.hasAnyUnder([third.documentId])).toBe(false);
    await a.repo.shutdown();
  });

  it("an admin reads and writes every document: devices' and the fleet's", async () => {
    const { relay, adminToken, connect } = await started();
    const device = await enrollDevice(relay, "laptop-a");
    await eventually(
      () => relay.loadedDocumentIds().includes(device.deviceDoc.documentId),
      "the device document on the relay",
    );
    const admin = connect({ kind: "admin", name: "alice" }, adminToken);
    await connectedTo(admin, relay.peerId);

    const fleet = await admin.find<FleetDoc>(relay.fleetDocUrl as never);
    expect(Object.keys(fleet.doc().devices)).toEqual(["laptop-a"]);
    expect(deviceDocUrlOf(fleet.doc(), "laptop-a" as never)).toBe(device.deviceDoc.url);

    const remote = await admin.find<DeviceDoc>(device.deviceDoc.url);
    remote.change((doc) => {
      enqueueCommand(
        doc,
        { kind: "inventory.collect", id: "cmd-from-alice" as never },
        { by: "admin:alice", at: Date.now() },
      );
    });
    await eventually(
      () => device.deviceDoc.doc().commands["cmd-from-alice" as never] !== undefined,
      "the admin's command on the device",
    );
    await device.repo.shutdown();
  });
});

describe("enrollment", () => {
  it("refuses a wrong secret with 403", async () => {
    const { relay } = await started();
    const response = await postEnroll(relay, {
      enrollmentSecret: "ops_wrong",
      deviceId: "laptop-a",
      hostname: "laptop-a",
      deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
    });
    expect(response).toEqual({ status: 403, body: { error: "wrong enrollment secret" } });
  });

  it("refuses a malformed request with 400 and the field that was wrong", async () => {
    const { relay } = await started();
    const response = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "../etc/passwd",
      hostname: "x",
      deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
    });
    expect(response.status).toBe(400);
    expect(response.body.problems).toEqual([
      {
        path: "deviceId",
        message: "expected a device ID: 1-64 of [A-Za-z0-9._-], starting with a letter or digit",
      },
    ]);
  });

  it("re-enrolling a device with a token made for it rotates its token: the old one stops working", async () => {
    const { relay } = await started();
    const first = await enrollDevice(relay, "laptop-a");
    // The shared secret no longer replaces a known device (device-enrollment.test.ts): an admin's
    // one-time token for it does.
    const { token } = await relay.principals.enrollmentTokens.create({
      deviceId: first.deviceId,
      by: "admin:alice",
    });
    const again = await postEnroll(relay, {
      enrollmentToken: token,
      deviceId: "laptop-a",
      hostname: "laptop-a.example",
      deviceDocUrl: first.deviceDoc.url,
    });
    expect(again).toMatchObject({
      status: 200,
      body: { rotated: true, relayPeerId: relay.peerId },
    });
    expect(await openRawSocket(`${relay.syncUrl}?token=${first.token}`)).toMatchObject({
      kind: "refused",
      status: 401,
    });
    const fresh = await openRawSocket(`${relay.syncUrl}?token=${again.body.deviceToken}`);
    expect(fresh.kind).toBe("open");
    if (fresh.kind === "open") fresh.socket.close();
    await first.repo.shutdown();
  });

  it("refuses to give a device a document another device owns", async () => {
    const { relay } = await started();
    const a = await enrollDevice(relay, "laptop-a");
    const response = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "laptop-b",
      hostname: "laptop-b",
      deviceDocUrl: a.deviceDoc.url,
    });
    expect(response).toEqual({
      status: 409,
      body: { error: `document ${a.deviceDoc.documentId} belongs to another device` },
    });
    await a.repo.shutdown();
  });

  it("rate-limits failed enrollments per client address", async () => {
    // Failures have their own bucket (enroll-limits.test.ts): they never spend enrollments'.
    const { relay } = await started({ limits: { enrollmentFailuresPerMinute: 3 } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await postEnroll(relay, { enrollmentSecret: "ops_wrong" })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});

export type { DocumentId };
