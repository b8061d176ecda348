/**
 * Enrollment's rate limits against a real relay on loopback: failed attempts, enrollments per
 * client address and new devices per fleet are separate buckets, and behind a trusted proxy the
 * client is the address in `X-Forwarded-For`.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateAutomergeUrl } from "@automerge/automerge-repo";
import type { DeviceId, RelayErrorBody } from "@outpost/shared-model";
import { silentLogger } from "@outpost/shared-model";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Relay } from "../relay.js";
import { relayPerTest, type TestRelayOptions } from "../testing/relay-fixture.js";
import { rejectionCount } from "../testing/relay-http.js";
import { InvalidTrustedProxy } from "./client-address.js";

const startRelay = relayPerTest();

async function started(options: TestRelayOptions = {}): Promise<Relay> {
  return (await startRelay(options)).relay;
}

interface EnrollAnswer {
  status: number;
  body: RelayErrorBody;
  retryAfter: string | null;
}

let deviceCount = 0;

/** POSTs an enrollment of a fresh device, with `X-Forwarded-For` when `forwardedFor` is given. */
async function enrollFrom(
  relay: Relay,
  forwardedFor: string | undefined,
  overrides: {
    enrollmentSecret?: string;
    enrollmentToken?: string;
    deviceId?: string;
    deviceDocUrl?: string;
  } = {},
): Promise<EnrollAnswer> {
  deviceCount += 1;
  const deviceId = overrides.deviceId ?? `device-${deviceCount}`;
  const response = await fetch(`${relay.url}/v1/enroll`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
    },
    body: JSON.stringify({
      ...(overrides.enrollmentToken === undefined
        ? {
            enrollmentSecret:
              overrides.enrollmentSecret ?? (await relay.principals.enrollmentSecret()),
          }
        : { enrollmentToken: overrides.enrollmentToken }),
      deviceId,
      hostname: `${deviceId}.example`,
      deviceDocUrl: overrides.deviceDocUrl ?? generateAutomergeUrl(),
    }),
  });
  return {
    status: response.status,
    body: (await response.json()) as RelayErrorBody,
    retryAfter: response.headers.get("retry-after"),
  };
}

/** Sends enrollments from `forwardedFor` until one is refused with 429 (at most `bound`). */
async function floodUntilRefused(
  relay: Relay,
  forwardedFor: string | undefined,
  overrides: { enrollmentSecret?: string } = {},
  bound = 100,
): Promise<{ statuses: number[]; refusal: EnrollAnswer }> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < bound; attempt += 1) {
    const answer = await enrollFrom(relay, forwardedFor, overrides);
    if (answer.status === 429) return { statuses, refusal: answer };
    statuses.push(answer.status);
  }
  throw new Error(`${bound} enrollments from ${forwardedFor ?? "the socket"} were never refused`);
}

/** A 429's `retry-after` is the whole seconds until a token is back: at least 1, at most 60. */
function expectRetryAfter(answer: EnrollAnswer): void {
  expect(answer.retryAfter).toMatch(/^\d+$/);
  const seconds = Number(answer.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(answer.body.error).toContain(`retry in ${seconds} s`);
}

describe("enrollment rate limits", () => {
  it("wrong-secret guessing from an address does not block a valid enrollment from it", async () => {
    const relay = await started();
    const flood = await floodUntilRefused(relay, undefined, { enrollmentSecret: "ops_guess" });
    expect(new Set(flood.statuses)).toEqual(new Set([403]));
    expect(flood.refusal.body.error).toMatch(/^too many failed enrollment attempts/);
    expectRetryAfter(flood.refusal);

    expect((await enrollFrom(relay, undefined)).status).toBe(200);
    expect(await rejectionCount(relay.url, "enroll-rate-limited-failures")).toBe(1);
    expect(await rejectionCount(relay.url, "enroll-bad-secret")).toBe(flood.statuses.length);
  });

  it("a flood of enrollments from one client does not refuse a device at another", async () => {
    const relay = await started({ trustedProxies: ["127.0.0.1"] });
    const flood = await floodUntilRefused(relay, "203.0.113.10");
    expect(new Set(flood.statuses)).toEqual(new Set([200]));
    expect(flood.refusal.body.error).toMatch(/^too many enrollments from this address/);
    expectRetryAfter(flood.refusal);

    expect((await enrollFrom(relay, "203.0.113.20")).status).toBe(200);
    // Its successes are not failures: the same client still gets a wrong secret answered 403.
    expect((await enrollFrom(relay, "203.0.113.10", { enrollmentSecret: "ops_x" })).status).toBe(
      403,
    );
    expect(await rejectionCount(relay.url, "enroll-rate-limited-address")).toBe(1);
    expect(await rejectionCount(relay.url, "enroll-rate-limited-failures")).toBe(0);
  });

  it("caps new devices across the fleet, but not known devices enrolling again with consent", async () => {
    const relay = await started({
      trustedProxies: ["127.0.0.0/8"],
      limits: { newDevicesPerMinute: 3 },
    });
    expect((await enrollFrom(relay, "198.51.100.1", { deviceId: "known" })).status).toBe(200);
    // One enrollment per address, so no address's own allowance is what refuses.
    let refusal: EnrollAnswer | undefined;
    for (let client = 2; client < 100 && refusal === undefined; client += 1) {
      const answer = await enrollFrom(relay, `198.51.100.${client}`);
      if (answer.status === 429) refusal = answer;
      else expect(answer.status).toBe(200);
    }
    expect(refusal?.body.error).toMatch(/^too many new devices enrolling across the fleet/);
    if (refusal !== undefined) expectRetryAfter(refusal);
    expect(await rejectionCount(relay.url, "enroll-rate-limited-fleet")).toBe(1);

    // A known device enrolls again with an admin's consent (a token made for it), which the
    // fleet's allowance does not count. The shared secret would only make a request for an admin
    // to decide, which grows the journal as a new device does, and is refused like one.
    const known = relay.principals.device("known");
    const asked = await enrollFrom(relay, "198.51.100.201", {
      deviceId: "known",
      deviceDocUrl: `automerge:${known?.deviceDocumentId}`,
    });
    expect(asked.status).toBe(429);
    expect(asked.body.error).toMatch(/^too many new devices enrolling across the fleet/);
    const { token } = await relay.principals.enrollmentTokens.create({
      deviceId: "known" as DeviceId,
      by: "admin:alice",
    });
    const again = await enrollFrom(relay, "198.51.100.200", {
      enrollmentToken: token,
      deviceId: "known",
      deviceDocUrl: `automerge:${known?.deviceDocumentId}`,
    });
    expect(again.status).toBe(200);
  });
});

describe("trusted proxies", () => {
  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const relay = await started({ trustedProxies: ["10.0.0.1"] });
    let spoofed = 0;
    const statuses: number[] = [];
    for (; spoofed < 100; spoofed += 1) {
      const answer = await enrollFrom(relay, `192.0.2.${spoofed + 1}`, { enrollmentSecret: "x" });
      statuses.push(answer.status);
      if (answer.status === 429) break;
    }
    // Every spoofed address counted against the socket's own: the flood was still stopped.
    expect(statuses.at(-1)).toBe(429);
    expect(await rejectionCount(relay.url, "enroll-rate-limited-failures")).toBe(1);
  });

  it("takes the right-most untrusted X-Forwarded-For entry, not a forged one left of it", async () => {
    const relay = await started({ trustedProxies: ["::ffff:127.0.0.1", "10.1.0.0/16"] });
    const forged = await floodUntilRefused(relay, "192.0.2.1, 203.0.113.30, 10.1.2.3", {
      enrollmentSecret: "x",
    });
    expect(forged.statuses.length).toBeGreaterThan(0);
    // The client was 203.0.113.30; a different forged left-most entry does not escape its bucket.
    expect(
      (await enrollFrom(relay, "192.0.2.99, 203.0.113.30", { enrollmentSecret: "x" })).status,
    ).toBe(429);
    expect(
      (await enrollFrom(relay, "192.0.2.1, 203.0.113.31", { enrollmentSecret: "x" })).status,
    ).toBe(403);
  });

  it("limits an IPv6 client by its /64", async () => {
    const relay = await started({ trustedProxies: ["127.0.0.1"] });
    await floodUntilRefused(relay, "2001:db8:1:2::1", { enrollmentSecret: "x" });
    const sameHost = await enrollFrom(relay, "2001:db8:1:2:ffff::9", { enrollmentSecret: "x" });
    expect(sameHost.status).toBe(429);
    const nextNetwork = await enrollFrom(relay, "2001:db8:1:3::1", { enrollmentSecret: "x" });
    expect(nextNetwork.status).toBe(403);
  });

  it("logs the forwarded client of a websocket upgrade and of an enrollment", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: "debug" },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const relay = await started({ trustedProxies: ["127.0.0.1"], logger });
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(relay.syncUrl, {
        headers: { "x-forwarded-for": "198.51.100.77" },
      });
      socket.once("unexpected-response", (_request, response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
      });
      socket.once("open", () => reject(new Error("a websocket without a token was opened")));
      socket.once("error", reject);
    });
    expect(status).toBe(401);
    expect(lines).toContainEqual(
      expect.objectContaining({ reason: "missing-token", remoteAddress: "198.51.100.77" }),
    );
    // And each enrollment's line names its client: how fakes are told apart (OPERATIONS.md).
    expect((await enrollFrom(relay, "198.51.100.78", { deviceId: "laptop-7" })).status).toBe(200);
    expect(lines).toContainEqual(
      expect.objectContaining({ deviceId: "laptop-7", remoteAddress: "198.51.100.78" }),
    );
  });

  it("refuses to start with an entry that is not an address or range, naming it", async () => {
    // Checked before the data folder is touched: this one is never created.
    const dataDirectory = join(tmpdir(), `outpost-never-created-${process.pid}`);
    const start = (trustedProxies: string[]) =>
      Relay.start({
        dataDirectory,
        host: "127.0.0.1",
        port: 0,
        logger: silentLogger,
        trustedProxies,
      });
    await expect(start(["127.0.0.1", "10.0.0.0/33"])).rejects.toThrow(InvalidTrustedProxy);
    await expect(start(["proxy.example"])).rejects.toThrow(
      'trusted_proxies[0]: "proxy.example" is not an IP address or CIDR range',
    );
    expect(existsSync(dataDirectory)).toBe(false);
  });
});
