import { importPublicKey, signEd25519, utf8, verifyEd25519 } from "@outpost/shared-model";
import { afterEach, describe, expect, it } from "vitest";
import { AdminKeyStore } from "./admin-key-store.js";

const opened: AdminKeyStore[] = [];
const open = (name: string) => {
  const store = new AdminKeyStore(name);
  opened.push(store);
  return store;
};

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

describe("AdminKeyStore", () => {
  it("makes keys whose private half signs but can never be exported", async () => {
    const store = open(`keys-${crypto.randomUUID()}`);
    const key = await store.create("relay.test/alice", "Chrome on Linux", 1_000);
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("pkcs8", key.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey("jwk", key.privateKey)).rejects.toThrow();
    const message = utf8("hello");
    const signature = await signEd25519(key.privateKey, message);
    expect(await verifyEd25519(await importPublicKey(key.publicKey), message, signature)).toBe(
      true,
    );
    expect(key.keyId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("keeps each admin's keys across a reload of the store, still signing, still not exportable", async () => {
    const name = `keys-${crypto.randomUUID()}`;
    const first = open(name);
    const alice = await first.create("relay.test/alice", "Chrome on Linux", 1_000);
    const later = await first.create("relay.test/alice", "Chrome on Linux", 2_000);
    await first.create("relay.test/bob", "Firefox on macOS", 1_500);
    await first.put({ ...alice, revokedAt: 3_000 });
    await first.close();

    const reloaded = open(name);
    const keys = await reloaded.keysOf("relay.test/alice");
    expect(keys.map((key) => [key.keyId, key.createdAt, key.revokedAt])).toEqual([
      [alice.keyId, 1_000, 3_000],
      [later.keyId, 2_000, undefined],
    ]);
    const [kept] = keys;
    if (kept === undefined) throw new Error("no key kept");
    expect(kept.privateKey).toBeInstanceOf(CryptoKey);
    await expect(crypto.subtle.exportKey("pkcs8", kept.privateKey)).rejects.toThrow();
    const message = utf8("after a reload");
    const signature = await signEd25519(kept.privateKey, message);
    expect(await verifyEd25519(await importPublicKey(alice.publicKey), message, signature)).toBe(
      true,
    );
    expect(await reloaded.keysOf("relay.test/carol")).toEqual([]);
  });
});
