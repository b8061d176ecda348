/**
 * The devices client against a real relay (in a child process, on loopback): every route it calls,
 * answers parsed with shared-model's schemas, and refusals in the relay's words.
 */
import { cleanupAfterAll } from "@outpost/shared-model/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { RelayRefused, RelayUnreachable } from "../sync/relay-admin-call.js";
import { type ComponentTestRelay, startComponentTestRelay } from "../testing/test-relay.js";
import { type DevicesClient, makeDevicesClient } from "./devices-client.js";

const cleanup = cleanupAfterAll();
let relay: ComponentTestRelay;
let client: DevicesClient;

beforeAll(async () => {
  relay = await startComponentTestRelay(cleanup);
  client = makeDevicesClient({ relayUrl: relay.relayUrl, token: relay.adminToken });
}, 60_000);

describe("makeDevicesClient", () => {
  it("lists, revokes and removes devices", async () => {
    expect(
      (await relay.enroll({ deviceId: "laptop-a", hostname: "laptop-a.example" })).status,
    ).toBe(200);
    expect(
      (await relay.enroll({ deviceId: "laptop-b", hostname: "laptop-b.example" })).status,
    ).toBe(200);
    expect(await client.devices()).toMatchObject([
      { deviceId: "laptop-a", hostname: "laptop-a.example", status: "active", connected: false },
      { deviceId: "laptop-b", status: "active" },
    ]);
    expect(await client.revoke("laptop-a")).toMatchObject({
      deviceId: "laptop-a",
      status: "revoked",
      revokedAt: expect.any(Number),
    });
    expect(await client.remove("laptop-b")).toMatchObject({
      deviceId: "laptop-b",
      status: "removed",
    });
    const refusal = await client.revoke("laptop-z").catch((failure: unknown) => failure);
    expect(refusal).toBeInstanceOf(RelayRefused);
    expect(refusal).toMatchObject({
      status: 404,
      message: 'no device laptop-z; "outpost-relay device list" shows the devices',
    });
  });

  it("makes, lists and revokes one-time tokens with their install commands", async () => {
    const issued = await client.createToken({ deviceId: "kiosk-7", ttlSeconds: 3_600 });
    expect(issued).toMatchObject({
      tokenId: expect.stringMatching(/^[0-9a-f]{12}$/),
      deviceId: "kiosk-7",
      relayUrl: relay.relayUrl,
      rootKeyFingerprint: expect.stringMatching(/^SHA256:/),
    });
    expect(issued.install.shell).toContain(`--token '${issued.token}'`);
    expect(issued.install.powershell).toContain(`-Token '${issued.token}'`);
    expect(await client.enrollmentTokens()).toContainEqual(
      expect.objectContaining({ tokenId: issued.tokenId, deviceId: "kiosk-7" }),
    );
    await client.revokeToken(issued.tokenId);
    expect(
      (await client.enrollmentTokens()).find((token) => token.tokenId === issued.tokenId),
    ).toMatchObject({ revokedAt: expect.any(Number) });
    await expect(client.createToken({ ttlSeconds: 1 })).rejects.toThrow(
      "invalid enrollment token request (ttlSeconds: Too small: expected number to be >=60)",
    );
  });

  it("lists re-enrollment requests and decides on them", async () => {
    expect(
      (await relay.enroll({ deviceId: "laptop-c", hostname: "laptop-c.example" })).status,
    ).toBe(200);
    const asked = await relay.enroll({ deviceId: "laptop-c", hostname: "laptop-c.reinstalled" });
    expect(asked.status).toBe(202);
    const [request] = await client.pendingEnrollments();
    expect(request).toMatchObject({
      requestId: asked.body.requestId,
      deviceId: "laptop-c",
      hostname: "laptop-c.reinstalled",
      status: "pending",
      current: { hostname: "laptop-c.example", status: "active", connectedAtRequest: false },
    });
    expect(await client.decide(request?.requestId as string, "deny")).toMatchObject({
      status: "denied",
      decidedBy: "admin:alice",
    });
    expect(await client.pendingEnrollments()).toEqual([]);
    expect(await client.pendingEnrollments({ all: true })).toHaveLength(1);
  });

  it("says when the token is refused or the relay cannot be reached", async () => {
    const stolen = makeDevicesClient({ relayUrl: relay.relayUrl, token: "opa_stolen" });
    await expect(stolen.devices()).rejects.toMatchObject({
      status: 401,
      message: "invalid or revoked token",
    });
    const nowhere = makeDevicesClient({ relayUrl: "http://127.0.0.1:9", token: "x" });
    const failure = await nowhere.devices().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RelayUnreachable);
    expect((failure as Error).message).toBe("cannot reach the relay at http://127.0.0.1:9");
  });
});
