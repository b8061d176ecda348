/**
 * `GET /v1/session`: who a token is, what a dashboard signs in with; answerable from any origin
 * (the dashboard need not be served by the relay it talks to).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestRelay } from "../testing/relay-fixture.js";
import { startTestRelay } from "../testing/relay-fixture.js";
import { enrollDeviceOverHttp } from "../testing/relay-http.js";

let fixture: TestRelay;

beforeAll(async () => {
  fixture = await startTestRelay();
});

afterAll(async () => {
  await fixture?.close();
});

const session = (token?: string, headers: Record<string, string> = {}) =>
  fetch(`${fixture.relay.url}/v1/session`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

describe("GET /v1/session", () => {
  it("tells an admin who they are, the relay's peer ID and where the fleet is", async () => {
    const response = await session(fixture.adminToken, { origin: "https://elsewhere.example" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ principal: "admin:alice", syncPath: "/sync" });
    expect(body.fleetDocUrl).toMatch(/^automerge:/);
    expect(typeof body.relayPeerId).toBe("string");
  });

  it("tells a device who it is, without the fleet", async () => {
    const secret = await fixture.relay.principals.enrollmentSecret();
    const token = await enrollDeviceOverHttp(fixture.relay.url, {
      enrollmentSecret: secret,
      deviceId: "laptop-9",
      hostname: "laptop-9",
      deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
    });
    const body = (await (await session(token)).json()) as Record<string, unknown>;
    expect(body.principal).toBe("device:laptop-9");
    expect(body.fleetDocUrl).toBeUndefined();
  });

  it("refuses a missing or wrong token with a 401 a browser on another origin can read", async () => {
    const missing = await session();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "missing token" });
    const wrong = await session("opa_not-a-token");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("access-control-allow-origin")).toBe("*");
    expect(await wrong.json()).toEqual({ error: "invalid or revoked token" });
  });

  it("answers a browser's preflight for the Authorization header", async () => {
    const response = await fetch(`${fixture.relay.url}/v1/session`, {
      method: "OPTIONS",
      headers: {
        origin: "https://elsewhere.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-allow-methods")).toContain("GET");
  });
});
