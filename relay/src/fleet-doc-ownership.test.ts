/**
 * A device could own the FleetDoc. Every admin learns the FleetDoc's URL from
 * `/v1/session`; enrolling a new device with `deviceDocUrl` set to it returned 200 and made the
 * device its owner, and the access policy asked about ownership before the fleet rule, so the
 * device token could read and rewrite the fleet view. Enrollment now refuses the FleetDoc and any
 * document that already exists on the relay or is owned, and the fleet rule comes first.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { FleetDoc } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo, enrollDevice, postEnroll } from "./testing/clients.js";
import { DurableAckLog } from "./testing/durable-ack-log.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { fetchHealth, rejectionCount } from "./testing/relay-http.js";

const fixtures: TestRelay[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function started(dataDirectory?: string): Promise<TestRelay> {
  const fixture = await startTestRelay(dataDirectory === undefined ? {} : { dataDirectory });
  fixtures.push(fixture);
  return fixture;
}

describe("the FleetDoc at enrollment", () => {
  it("refuses a device whose DeviceDoc would be the FleetDoc, and records nothing", async () => {
    const { relay } = await started();
    const response = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "mallory",
      hostname: "mallory.example",
      deviceDocUrl: relay.fleetDocUrl,
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatch(/fleet document/);
    expect(relay.principals.device("mallory")).toBeUndefined();
    expect(await rejectionCount(relay.url, "enroll-conflict")).toBe(1);
  });

  it("refuses a DeviceDoc that already exists on the relay, though nobody owns it", async () => {
    const fixture = await started();
    const { relay } = fixture;
    // A document an admin created: it is on the relay's disk, and no device owns it.
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(admin, relay.peerId);
    const shared = admin.create<{ note: string }>({ note: "written by an admin" });
    // The relay's durable ack: the document is on its disk.
    await new DurableAckLog(shared, relay.peerId).waitFor(() => true, "of the admin's document", {
      timeoutMs: 20_000,
    });
    const response = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "mallory",
      hostname: "mallory.example",
      deviceDocUrl: shared.url,
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toBe(`document ${shared.documentId} already exists on the relay`);
    expect(relay.principals.device("mallory")).toBeUndefined();
  });

  it("still lets a device enroll again with its own DeviceDoc", async () => {
    const { relay } = await started();
    const device = await enrollDevice(relay, "laptop-a");
    // Its DeviceDoc is on the relay and owned by it, which is what a stranger's enrollment with
    // that URL is refused for.
    await eventually(
      async () => (await fetchHealth(relay.url)).ownedDocuments === 1,
      "the relay owning the device's DeviceDoc",
    );
    // Enrolling again revokes the old token: the stock client would retry with it and throw on
    // the relay's 401 outside any test (it rethrows from a socket event), so it goes first.
    await device.repo.shutdown();
    // A known device enrolls again with an admin's consent: a one-time token made for it.
    const { token } = await relay.principals.enrollmentTokens.create({
      deviceId: device.deviceId,
      by: "admin:alice",
    });
    const again = await postEnroll(relay, {
      enrollmentToken: token,
      deviceId: "laptop-a",
      hostname: "laptop-a.example",
      deviceDocUrl: device.deviceDoc.url,
    });
    expect(again.status).toBe(200);
    expect(again.body.rotated).toBe(true);
  });
});

describe("the FleetDoc in the access policy", () => {
  // A data folder from before the fix may hold such an ownership line: the fleet rule must win.
  it("keeps a device that owns the FleetDoc out of it", { timeout: 60_000 }, async () => {
    const first = await started();
    const fleetDocumentId = first.relay.fleetDocUrl.replace("automerge:", "");
    const device = await enrollDevice(first.relay, "mallory");
    await device.repo.shutdown();
    const dataDirectory = first.dataDirectory;
    await first.relay.stop();
    await appendFile(
      join(dataDirectory, "ownership.jsonl"),
      `${JSON.stringify({ op: "owned", at: Date.now(), documentId: fleetDocumentId, deviceId: "mallory" })}\n`,
    );
    fixtures.splice(fixtures.indexOf(first), 1);
    const second = await started(dataDirectory);
    const mallory = second.connect({ kind: "device", deviceId: device.deviceId }, device.token);
    await connectedTo(mallory, second.relay.peerId);
    await expect(mallory.find<FleetDoc>(second.relay.fleetDocUrl as never)).rejects.toThrow(
      /unavailable/,
    );
    expect(await rejectionCount(second.relay.url, "access-denied")).toBeGreaterThan(0);
  });
});
