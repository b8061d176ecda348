/**
 * Revoking, removing and purging devices against a real relay on loopback: over the admin HTTP
 * routes and from another process on the data folder (what the CLI does), the device's sockets
 * close at once, its token is refused, and the FleetDoc says so.
 */
import { join } from "node:path";
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import type { DeviceListing, FleetDoc } from "@outpost/shared-model";
import { silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DeviceLifecycle } from "./state/device-lifecycle.js";
import { purgeDevice } from "./state/device-purge.js";
import { OwnershipStore } from "./state/ownership-store.js";
import { PrincipalStore } from "./state/principal-store.js";
import { adminCall } from "./testing/admin-http.js";
import {
  closeOf,
  connectedTo,
  enrollDevice,
  openRawSocket,
  postEnroll,
  type TestDevice,
} from "./testing/clients.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { fetchHealth } from "./testing/relay-http.js";

const fixtures: TestRelay[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function started(dataDirectory?: string): Promise<TestRelay> {
  const fixture = await startTestRelay(dataDirectory === undefined ? {} : { dataDirectory });
  fixtures.push(fixture);
  return fixture;
}

/**
 * Enrolls `name`, waits until the relay owns its DeviceDoc, and leaves it connected over a raw
 * socket (the stock client throws from a socket event when its token is refused, so it goes).
 */
async function connectedDevice(fixture: TestRelay, name: string) {
  const device = await enrollDevice(fixture.relay, name);
  await eventually(
    () => fixture.relay.principals.device(name) !== undefined,
    `${name} to be enrolled`,
  );
  await device.repo.shutdown();
  const outcome = await openRawSocket(`${fixture.relay.syncUrl}?token=${device.token}`);
  if (outcome.kind !== "open") throw new Error(`${name} could not connect`);
  return { ...device, socket: outcome.socket, closed: closeOf(outcome.socket) };
}

/** The FleetDoc as an admin's replica sees it, once `check` holds. */
async function fleetOnceItShows(
  fixture: TestRelay,
  check: (fleet: FleetDoc) => boolean,
  what: string,
  adminToken = fixture.adminToken,
): Promise<FleetDoc> {
  const admin = fixture.connect({ kind: "admin", name: "alice" }, adminToken);
  await connectedTo(admin, fixture.relay.peerId);
  const handle = await admin.find<FleetDoc>(fixture.relay.fleetDocUrl as never);
  await eventually(() => check(handle.doc()), what);
  return handle.doc();
}

describe("revoking a device", () => {
  it("over HTTP closes its sockets at once, refuses its token, and marks it in the FleetDoc", async () => {
    const fixture = await started();
    const { relay, adminToken } = fixture;
    const device = await connectedDevice(fixture, "laptop-a");
    const other = await connectedDevice(fixture, "laptop-b");
    const listed = await adminCall<{ devices: DeviceListing[] }>(
      relay.url,
      adminToken,
      "GET",
      "/v1/devices",
    );
    expect(listed.body.devices).toMatchObject([
      { deviceId: "laptop-a", status: "active", connected: true, hostname: "laptop-a.example" },
      { deviceId: "laptop-b", status: "active", connected: true },
    ]);

    const answer = await adminCall<{ device: DeviceListing }>(
      relay.url,
      adminToken,
      "POST",
      "/v1/devices/laptop-a/revoke",
    );
    expect(answer.status).toBe(200);
    expect(answer.body.device).toMatchObject({ deviceId: "laptop-a", status: "revoked" });
    expect(await device.closed).toEqual({ code: 4001, reason: "token of device:laptop-a revoked" });
    expect(await openRawSocket(`${relay.syncUrl}?token=${device.token}`)).toMatchObject({
      kind: "refused",
      status: 401,
    });
    // The answer came after the FleetDoc was marked; another device is untouched.
    const fleet = await fleetOnceItShows(
      fixture,
      (doc) => doc.devices["laptop-a" as never]?.revokedAt !== undefined,
      "the FleetDoc to mark laptop-a revoked",
    );
    expect(fleet.devices["laptop-a" as never]?.revokedAt).toBe(answer.body.device.revokedAt);
    expect(fleet.devices["laptop-b" as never]?.revokedAt).toBeUndefined();
    expect(other.socket.readyState).toBe(other.socket.OPEN);
    other.socket.close();
  });

  it("from another process on the data folder (the CLI) reaches the running relay", async () => {
    const fixture = await started();
    const device = await connectedDevice(fixture, "laptop-a");
    // What `outpost-relay device revoke laptop-a` does: append to the data folder's journal.
    const cli = await PrincipalStore.open(fixture.dataDirectory, silentLogger);
    const ownership = await OwnershipStore.open(fixture.dataDirectory, silentLogger);
    await new DeviceLifecycle(cli, ownership).revoke("laptop-a", "cli:ops");

    expect(await device.closed).toEqual({ code: 4001, reason: "token of device:laptop-a revoked" });
    await fleetOnceItShows(
      fixture,
      (doc) => doc.devices["laptop-a" as never]?.revokedAt !== undefined,
      "the FleetDoc to mark laptop-a revoked",
    );
  });

  it("while the relay is stopped is in the FleetDoc after it starts", {
    timeout: 60_000,
  }, async () => {
    const first = await started();
    const device = await connectedDevice(first, "laptop-a");
    device.socket.close();
    await first.close({ keepData: true });
    fixtures.splice(fixtures.indexOf(first), 1);
    const cli = await PrincipalStore.open(first.dataDirectory, silentLogger);
    const ownership = await OwnershipStore.open(first.dataDirectory, silentLogger);
    await new DeviceLifecycle(cli, ownership).revoke("laptop-a", "cli:ops");

    const second = await started(first.dataDirectory);
    await fleetOnceItShows(
      second,
      (doc) => doc.devices["laptop-a" as never]?.revokedAt !== undefined,
      "the FleetDoc to mark laptop-a revoked",
      first.adminToken,
    );
    expect(await openRawSocket(`${second.relay.syncUrl}?token=${device.token}`)).toMatchObject({
      kind: "refused",
      status: 401,
    });
  });

  it("is for admins only, and names what is wrong", async () => {
    const fixture = await started();
    const { relay, adminToken } = fixture;
    const device = await connectedDevice(fixture, "laptop-a");
    expect(await adminCall(relay.url, undefined, "POST", "/v1/devices/laptop-a/revoke")).toEqual({
      status: 401,
      body: { error: "missing token: send Authorization: Bearer <admin token>" },
    });
    expect(await adminCall(relay.url, device.token, "POST", "/v1/devices/laptop-a/revoke")).toEqual(
      { status: 403, body: { error: "device:laptop-a is not an admin" } },
    );
    expect(await adminCall(relay.url, adminToken, "GET", "/v1/devices/laptop-a/revoke")).toEqual({
      status: 405,
      body: { error: "use POST /v1/devices/laptop-a/revoke" },
    });
    expect(await adminCall(relay.url, adminToken, "POST", "/v1/devices/laptop-z/revoke")).toEqual({
      status: 404,
      body: { error: 'no device laptop-z; "outpost-relay device list" shows the devices' },
    });
    // Nothing of it touched the device.
    expect(device.socket.readyState).toBe(device.socket.OPEN);
    device.socket.close();
  });
});

describe("removing a device", () => {
  it("drops it from the fleet and keeps its ID from coming back with the shared secret", async () => {
    const fixture = await started();
    const { relay, adminToken } = fixture;
    // Fakes enrolled by someone holding the shared secret.
    const fakes: TestDevice[] = [];
    for (const name of ["fake-1", "fake-2"]) fakes.push(await enrollDevice(relay, name));
    for (const fake of fakes) await fake.repo.shutdown();
    const real = await connectedDevice(fixture, "laptop-a");

    for (const name of ["fake-1", "fake-2"]) {
      const answer = await adminCall<{ device: DeviceListing }>(
        relay.url,
        adminToken,
        "POST",
        `/v1/devices/${name}/remove`,
      );
      expect(answer.body.device).toMatchObject({ deviceId: name, status: "removed" });
    }
    const fleet = await fleetOnceItShows(
      fixture,
      (doc) => Object.keys(doc.devices).length === 1,
      "the fakes to leave the FleetDoc",
    );
    expect(Object.keys(fleet.devices)).toEqual(["laptop-a"]);
    for (const fake of fakes) {
      expect(await openRawSocket(`${relay.syncUrl}?token=${fake.token}`)).toMatchObject({
        kind: "refused",
        status: 401,
      });
    }
    // The same fake ID again with the secret: only a request an admin has to approve.
    const back = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "fake-1",
      hostname: "fake-1.example",
      deviceDocUrl: generateAutomergeUrl(),
    });
    expect(back.status).toBe(202);
    const listed = await adminCall<{ devices: DeviceListing[] }>(
      relay.url,
      adminToken,
      "GET",
      "/v1/devices",
    );
    expect(listed.body.devices.map((d) => [d.deviceId, d.status])).toEqual([
      ["laptop-a", "active"],
      ["fake-1", "removed"],
      ["fake-2", "removed"],
    ]);
    expect(real.socket.readyState).toBe(real.socket.OPEN);
    real.socket.close();
  });
});

describe("purging a removed device", () => {
  // That a running relay's folder is refused is in cli/device-commands.test.ts: the lock tells
  // another process, and this test's relay runs in this one.
  it("deletes its documents from a stopped relay's folder and frees its ID", {
    timeout: 60_000,
  }, async () => {
    const first = await started();
    const device = await connectedDevice(first, "laptop-a");
    await eventually(
      async () => (await fetchHealth(first.relay.url)).ownedDocuments === 1,
      "the relay owning the DeviceDoc",
    );
    device.socket.close();
    const chunksOnDisk = async () => {
      const storage = await CrashSafeFileStorageAdapter.create(
        join(first.dataDirectory, "documents"),
        { logger: silentLogger, readOnly: true },
      );
      return (await storage.loadRange([device.deviceDoc.documentId])).length;
    };
    await eventually(async () => (await chunksOnDisk()) > 0, "the DeviceDoc on the relay's disk");
    await adminCall(first.relay.url, first.adminToken, "POST", "/v1/devices/laptop-a/remove");

    await first.close({ keepData: true });
    fixtures.splice(fixtures.indexOf(first), 1);
    expect(await purgeDevice(first.dataDirectory, device.deviceId, silentLogger)).toEqual({
      documents: 1,
    });
    expect(await chunksOnDisk()).toBe(0);

    const second = await started(first.dataDirectory);
    expect((await fetchHealth(second.relay.url)).ownedDocuments).toBe(0);
    // Nothing of it is left: the ID enrolls as a new device, with the secret alone.
    const again = await postEnroll(second.relay, {
      enrollmentSecret: await second.relay.principals.enrollmentSecret(),
      deviceId: "laptop-a",
      hostname: "laptop-a.example",
      deviceDocUrl: generateAutomergeUrl(),
    });
    expect(again).toMatchObject({ status: 200, body: { rotated: false } });
  });

  it("refuses a device that is still enrolled", async () => {
    const fixture = await started();
    const device = await connectedDevice(fixture, "laptop-a");
    device.socket.close();
    await fixture.close({ keepData: true });
    fixtures.splice(fixtures.indexOf(fixture), 1);
    await expect(purgeDevice(fixture.dataDirectory, device.deviceId, silentLogger)).rejects.toThrow(
      "device laptop-a is enrolled: remove it first (outpost-relay device remove laptop-a), then purge",
    );
  });
});
