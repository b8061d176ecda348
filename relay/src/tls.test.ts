import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";

let certDirectory: string;
let cert: Buffer;
let key: Buffer;
let fixture: TestRelay;

beforeAll(async () => {
  // A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl.
  certDirectory = await mkdtemp(join(tmpdir(), "outpost-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(certDirectory, "key.pem"),
      "-out",
      join(certDirectory, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  cert = await readFile(join(certDirectory, "cert.pem"));
  key = await readFile(join(certDirectory, "key.pem"));
  fixture = await startTestRelay({ tls: { cert, key } });
});

afterAll(async () => {
  await fixture?.close();
  await rm(certDirectory, { recursive: true, force: true });
});

function httpsJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { ca: cert }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    }).on("error", reject);
  });
}

describe("relay over TLS", () => {
  it("serves HTTPS and WSS with the given certificate", async () => {
    expect(fixture.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(fixture.relay.syncUrl).toMatch(/^wss:\/\//);
    expect(await httpsJson(`${fixture.relay.url}/healthz`)).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
    const socket = new WebSocket(`${fixture.relay.syncUrl}?token=${fixture.adminToken}`, {
      ca: cert,
    });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.close();
  });

  it("still refuses a bad token with 401 before the websocket exists", async () => {
    const socket = new WebSocket(`${fixture.relay.syncUrl}?token=wrong`, { ca: cert });
    const status = await new Promise<number>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    });
    expect(status).toBe(401);
  });
});
