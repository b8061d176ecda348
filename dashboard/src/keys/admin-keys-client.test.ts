// @vitest-environment node
/**
 * The admin-keys client against a small HTTP server on loopback that answers as the relay's key
 * routes do (docs/ARCHITECTURE.md, "Relay HTTP for keys"): real requests, real status codes, real
 * JSON bodies, and the relay's words in its refusals.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  exportPublicKey,
  generateSigningKey,
  issueCertificate,
  issueRevocation,
  keyIdOf,
} from "@outpost/shared-model";
import { type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayRefused, RelayUnreachable } from "../sync/relay-admin-call.js";
import { KeyRegistry, RegistryRefusal } from "../testing/key-registry.js";
import { makeAdminKeysClient } from "./admin-keys-client.js";

const TOKENS: Record<string, string> = { "alice-token": "alice" };

let root: TestRoot;
let registry: KeyRegistry;
let server: Server;
let relayUrl: string;
/** What `GET /v1/admin-keys` answers instead of the registry's list, when set. */
let listAnswer: unknown;

beforeEach(async () => {
  root = await testRoot();
  registry = new KeyRegistry(root);
  listAnswer = undefined;
  server = createServer((request, response) => void answer(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  relayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  // Already closed by a test of an unreachable relay: then this says so, and that is fine.
  await new Promise((resolve) => server.close(resolve));
});

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(body));
  };
  const header = request.headers.authorization ?? "";
  const admin = TOKENS[header.replace(/^Bearer /, "")];
  if (admin === undefined) return send(401, { error: "invalid or revoked token" });
  try {
    if (request.method === "GET" && request.url === "/v1/admin-keys") {
      return send(200, listAnswer ?? registry.list());
    }
    if (request.method !== "POST") return send(404, { error: `nothing at ${request.url}` });
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return send(415, { error: "expected content-type application/json" });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (request.url === "/v1/admin-keys")
      return send(200, { key: await registry.register(admin, body) });
    if (request.url === "/v1/admin-keys/certificates") {
      return send(200, { key: await registry.certify(body.certificate) });
    }
    if (request.url === "/v1/admin-keys/revocations") {
      return send(200, { key: await registry.revoke(body.revocation) });
    }
    return send(404, { error: `nothing at POST ${request.url}` });
  } catch (failure) {
    if (failure instanceof RegistryRefusal) return send(failure.status, { error: failure.message });
    return send(500, { error: "internal error; see the relay log" });
  }
}

async function newPublicKey(): Promise<{ publicKey: string; keyId: string }> {
  const publicKey = await exportPublicKey((await generateSigningKey()).publicKey);
  return { publicKey, keyId: await keyIdOf(publicKey) };
}

describe("makeAdminKeysClient", () => {
  it("registers a key, lists it pending, and hands over the root's certificate and revocation", async () => {
    const client = makeAdminKeysClient({ relayUrl, token: "alice-token" });
    const { publicKey, keyId } = await newPublicKey();
    await client.register({ publicKey, label: "Firefox on Linux" });
    await client.register({ publicKey, label: "Firefox on Linux" });

    const listed = await client.list();
    expect(listed).toMatchObject({ rootPublicKey: root.publicKey, fleet: root.fleet });
    expect(listed.keys).toEqual([
      {
        keyId,
        admin: "alice",
        publicKey,
        label: "Firefox on Linux",
        status: "pending",
        registeredAt: expect.any(Number),
      },
    ]);

    const certificate = await issueCertificate(root.key, {
      admin: "alice",
      publicKey,
      keyId,
      issuedAt: 1_000,
    });
    await client.certify(certificate);
    expect((await client.list()).keys[0]).toMatchObject({ status: "certified", certificate });

    const revocation = await issueRevocation(root.key, { keyId, revokedAt: 2_000, reason: "lost" });
    await client.revoke(revocation);
    expect((await client.list()).keys[0]).toMatchObject({ status: "revoked", revocation });
  });

  it("throws the relay's refusals in its own words, with their status", async () => {
    const client = makeAdminKeysClient({ relayUrl, token: "alice-token" });
    const { publicKey, keyId } = await newPublicKey();
    await client.register({ publicKey, label: "Chrome on Windows" });
    const strangers = await testRoot();
    const forged = await issueCertificate(strangers.key, {
      admin: "alice",
      publicKey,
      keyId,
      issuedAt: 1_000,
    });

    const refusal = await client.certify(forged).catch((failure: unknown) => failure);
    expect(refusal).toBeInstanceOf(RelayRefused);
    expect(refusal).toMatchObject({
      status: 400,
      message: `certificate refused: certificate of key ${keyId} is not signed by this fleet's root`,
    });
    await expect(makeAdminKeysClient({ relayUrl, token: "stolen" }).list()).rejects.toMatchObject({
      status: 401,
      message: "invalid or revoked token",
    });
    await expect(client.register({ publicKey: "short", label: "x" })).rejects.toThrow(
      "publicKey: expected an Ed25519 public key (43 base64url characters)",
    );
  });

  it("says when the relay cannot be reached, or answers something that is no key list", async () => {
    const client = makeAdminKeysClient({ relayUrl, token: "alice-token" });
    listAnswer = { rootPublicKey: root.publicKey, fleet: root.fleet, keys: [{ keyId: "x" }] };
    await expect(client.list()).rejects.toThrow(
      /^the relay's answer to GET \/v1\/admin-keys is not a key list: invalid admin key list: keys\.0\.keyId/,
    );

    await new Promise((resolve) => server.close(resolve));
    const unreachable = await client.list().catch((failure: unknown) => failure);
    expect(unreachable).toBeInstanceOf(RelayUnreachable);
    expect((unreachable as Error).message).toBe(`cannot reach the relay at ${relayUrl}`);
  });
});
