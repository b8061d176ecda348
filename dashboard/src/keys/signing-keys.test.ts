import {
  commandSpecItem,
  draftCommand,
  issueCertificate,
  issueRevocation,
  parseDeviceId,
  signCommand,
  TrustVerifier,
} from "@outpost/shared-model";
import { type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayUnreachable } from "../sync/relay-admin-call.js";
import { KeyRegistry, registryClient } from "../testing/key-registry.js";
import { AdminKeyStore } from "./admin-key-store.js";
import type { AdminKeysClient } from "./admin-keys-client.js";
import { approveKey } from "./key-approvals.js";
import { type OwnKey, SigningKeys, type SigningState } from "./signing-keys.js";
import { whyCannotSign } from "./why-cannot-sign.js";

const SCOPE = "relay.test/alice";
const LAPTOP = parseDeviceId("laptop-042");

let root: TestRoot;
let registry: KeyRegistry;
let databaseName: string;
const stores: AdminKeyStore[] = [];

beforeEach(async () => {
  root = await testRoot();
  registry = new KeyRegistry(root);
  databaseName = `keys-${crypto.randomUUID()}`;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** Alice's keys in this browser, as the app opens them at sign-in. */
async function signingKeys(client: AdminKeysClient = registryClient(registry, "alice")) {
  const store = new AdminKeyStore(databaseName);
  stores.push(store);
  const keys = new SigningKeys({
    store,
    client,
    verifier: await TrustVerifier.create(root.publicKey),
    scope: SCOPE,
    admin: "alice",
    label: "Chrome on Linux",
    clock: () => 5_000,
  });
  await keys.start();
  return keys;
}

function ready(state: SigningState): Extract<SigningState, { kind: "ready" }> {
  if (state.kind !== "ready") throw new Error(`signing is ${state.kind}`);
  return state;
}

const statuses = (keys: SigningKeys) =>
  ready(keys.state).keys.map((key: OwnKey) => [key.status, key.registered]);

/** Approves every pending key of the registry with the root, as the Keys page does. */
async function approvePending(): Promise<void> {
  for (const key of registry.list().keys.filter((entry) => entry.status === "pending")) {
    await approveKey(root.key, key, { certify: (c) => registry.certify(c).then(() => {}) }, 6_000);
  }
}

/** Signs a command with the current signer and checks it as an agent would. */
async function signsVerifiably(keys: SigningKeys): Promise<string | undefined> {
  const signer = ready(keys.state).signer;
  if (signer === undefined) return undefined;
  const signed = await signCommand(
    signer,
    LAPTOP,
    draftCommand({ kind: "system.reboot" }, { by: "admin:alice", at: 1 }),
  );
  const verdict = await (await TrustVerifier.create(root.publicKey)).verify(
    commandSpecItem(signed.spec),
    LAPTOP,
    { [signer.certificate.keyId]: signer.certificate },
  );
  return verdict.ok ? verdict.keyId : verdict.problem;
}

describe("SigningKeys", () => {
  it("makes a key at first sign-in, registers it with this browser's label, and waits", async () => {
    const keys = await signingKeys();
    expect(statuses(keys)).toEqual([["pending", true]]);
    const [own] = ready(keys.state).keys;
    expect(registry.list().keys).toEqual([
      expect.objectContaining({ keyId: own?.keyId, admin: "alice", label: "Chrome on Linux" }),
    ]);
    expect(ready(keys.state).signer).toBeUndefined();
    expect(whyCannotSign(keys.state)).toBe(
      `Your signing key ${own?.keyId.slice(0, 6)}… is waiting for approval: commands and policy edits need it`,
    );
    expect(keys.hasPendingKey()).toBe(true);
  });

  it("learns the root's certificate from the relay, signs with it, and still does after a reload offline", async () => {
    const keys = await signingKeys();
    await approvePending();
    await keys.sync();
    expect(statuses(keys)).toEqual([["certified", true]]);
    const keyId = ready(keys.state).keys[0]?.keyId;
    expect(await signsVerifiably(keys)).toBe(keyId);
    expect(whyCannotSign(keys.state)).toBeUndefined();

    const offline: AdminKeysClient = {
      list: () =>
        Promise.reject(new RelayUnreachable("cannot reach the relay at https://relay.test")),
      register: () => Promise.reject(new Error("not asked")),
      certify: () => Promise.reject(new Error("not asked")),
      revoke: () => Promise.reject(new Error("not asked")),
    };
    const reloaded = await signingKeys(offline);
    expect(statuses(reloaded)).toEqual([["certified", false]]);
    expect(ready(reloaded.state).problem).toBe("cannot reach the relay at https://relay.test");
    expect(await signsVerifiably(reloaded)).toBe(keyId);
  });

  it("takes no certificate but this fleet root's for this admin and this key", async () => {
    const keys = await signingKeys();
    const [own] = ready(keys.state).keys;
    if (own === undefined) throw new Error("no key");
    const unsigned = { publicKey: own.publicKey, keyId: own.keyId, issuedAt: 1 };
    const strangers = await testRoot();
    for (const certificate of [
      await issueCertificate(strangers.key, { ...unsigned, admin: "alice" }),
      await issueCertificate(root.key, { ...unsigned, admin: "bob" }),
      await issueCertificate(root.key, { ...unsigned, admin: "alice", publicKey: root.publicKey }),
    ]) {
      await keys.learn([certificate], []);
      expect(statuses(keys)).toEqual([["pending", true]]);
      expect(ready(keys.state).signer).toBeUndefined();
    }
    // A bad one beside the root's own for this key does not hide it.
    await keys.learn(
      [
        await issueCertificate(strangers.key, { ...unsigned, admin: "alice" }),
        await issueCertificate(root.key, { ...unsigned, admin: "alice" }),
      ],
      [],
    );
    expect(statuses(keys)).toEqual([["certified", true]]);
  });

  it("stops signing once the root revokes the key, and says so", async () => {
    const keys = await signingKeys();
    await approvePending();
    await keys.sync();
    const keyId = ready(keys.state).keys[0]?.keyId ?? "";
    await keys.learn([], [await issueRevocation(root.key, { keyId, revokedAt: 7_000 })]);
    expect(ready(keys.state).keys).toMatchObject([{ status: "revoked", revokedAt: 7_000 }]);
    expect(ready(keys.state).signer).toBeUndefined();
    expect(whyCannotSign(keys.state)).toMatch(
      /^Your signing key .{6}… was revoked: make a new one/,
    );
    // A revocation is final, here too: the stored key stays revoked after a reload.
    expect(statuses(await signingKeys())).toEqual([["revoked", true]]);
  });

  it("rotates: the old key signs until the root certifies the new one", async () => {
    const keys = await signingKeys();
    await approvePending();
    await keys.sync();
    const old = ready(keys.state).keys[0]?.keyId;

    await keys.rotate();
    expect(statuses(keys)).toEqual([
      ["certified", true],
      ["pending", true],
    ]);
    expect(await signsVerifiably(keys)).toBe(old);

    await approvePending();
    await keys.sync();
    const fresh = ready(keys.state).keys[1]?.keyId;
    expect(fresh).not.toBe(old);
    expect(await signsVerifiably(keys)).toBe(fresh);
  });

  it("does not trust a key list that names another root than the one pinned at sign-in", async () => {
    const other = new KeyRegistry(await testRoot());
    const keys = await signingKeys(registryClient(other, "alice"));
    expect(ready(keys.state).problem).toMatch(/^the relay now names the root key SHA256:/);
    expect(statuses(keys)).toEqual([["pending", true]]);
  });
});
