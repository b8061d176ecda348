/**
 * The routes a dashboard calls with its token answer a browser on another origin (Vite's dev
 * server, a second relay): the preflight without a token, and every answer, refusals included,
 * with the CORS headers, or the browser hides it and the page can only say "network error".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall } from "../testing/admin-http.js";
import { startTestRelay, type TestRelay } from "../testing/relay-fixture.js";

let fixture: TestRelay;

beforeAll(async () => {
  fixture = await startTestRelay();
});

afterAll(async () => {
  await fixture?.close();
});

const ELSEWHERE = "http://127.0.0.1:5173";

/** A browser's preflight for a `method` call with a token and a JSON body. */
const preflight = (path: string, method: "GET" | "POST") =>
  fetch(`${fixture.relay.url}${path}`, {
    method: "OPTIONS",
    headers: {
      origin: ELSEWHERE,
      "access-control-request-method": method,
      "access-control-request-headers": "authorization, content-type",
    },
  });

/** A call as a page on another origin makes it. */
const crossOrigin = (path: string, init: { method?: string; token?: string; body?: unknown }) =>
  fetch(`${fixture.relay.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      origin: ELSEWHERE,
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

const DEVICE_ROUTES: [string, "GET" | "POST"][] = [
  ["/v1/devices", "GET"],
  ["/v1/devices/laptop-a/revoke", "POST"],
  ["/v1/devices/laptop-a/remove", "POST"],
  ["/v1/pending-enrollments", "GET"],
  ["/v1/pending-enrollments/0123456789ab/approve", "POST"],
  ["/v1/pending-enrollments/0123456789ab/deny", "POST"],
  ["/v1/enrollment-tokens", "GET"],
  ["/v1/enrollment-tokens", "POST"],
  ["/v1/enrollment-tokens/0123456789ab/revoke", "POST"],
];

describe("cross-origin calls to the device routes", () => {
  for (const [path, method] of DEVICE_ROUTES) {
    it(`answer the preflight of ${method} ${path} without a token`, async () => {
      const response = await preflight(path, method);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-methods")).toContain(method);
      const allowed = response.headers.get("access-control-allow-headers") ?? "";
      expect(allowed).toContain("authorization");
      expect(allowed).toContain("content-type");
    });
  }

  it("carry the headers on answers and on every refusal", async () => {
    const token = fixture.adminToken;
    const answers = {
      listed: await crossOrigin("/v1/devices", { token }),
      made: await crossOrigin("/v1/enrollment-tokens", { method: "POST", token, body: {} }),
      noToken: await crossOrigin("/v1/devices", {}),
      badToken: await crossOrigin("/v1/pending-enrollments", { token: "opa_nothing" }),
      unknown: await crossOrigin("/v1/devices/laptop-z/revoke", { method: "POST", token }),
      badMethod: await crossOrigin("/v1/devices/laptop-z/revoke", { token }),
      badBody: await crossOrigin("/v1/enrollment-tokens", {
        method: "POST",
        token,
        body: { ttlSeconds: 1 },
      }),
    };
    const statuses = Object.fromEntries(
      Object.entries(answers).map(([name, response]) => [name, response.status]),
    );
    expect(statuses).toEqual({
      listed: 200,
      made: 201,
      noToken: 401,
      badToken: 401,
      unknown: 404,
      badMethod: 405,
      badBody: 400,
    });
    for (const response of Object.values(answers)) {
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      await response.arrayBuffer();
    }
  });

  it("still need an admin token: the preflight opens nothing", async () => {
    expect(await adminCall(fixture.relay.url, undefined, "GET", "/v1/enrollment-tokens")).toEqual({
      status: 401,
      body: { error: "missing token: send Authorization: Bearer <admin token>" },
    });
  });
});

describe("the other routes a dashboard calls", () => {
  for (const path of ["/v1/session", "/v1/admin-keys"]) {
    it(`share the same headers: ${path}`, async () => {
      const response = await preflight(path, "POST");
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-headers")).toBe(
        "authorization, content-type",
      );
      const refused = await crossOrigin(path, { token: "opa_nothing" });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("access-control-allow-origin")).toBe("*");
      await refused.arrayBuffer();
    });
  }
});
