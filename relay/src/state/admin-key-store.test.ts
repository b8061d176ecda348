/**
 * The fleet's keys in principals.jsonl: the root's public half set once, admin keys registered
 * per admin, and only statements the root signed about registered keys recorded.
 */
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { generateRootKey, silentLogger } from "@outpost/shared-model";
import { cleanupAfterEach, LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { certificateFor, newAdminKey, revocationFor } from "../testing/admin-keys.js";
import { MAX_PENDING_KEYS_PER_ADMIN } from "./admin-key-store.js";
import { PrincipalStore } from "./principal-store.js";
import { TrustRefused } from "./trust-refused.js";

const cleanup = cleanupAfterEach();

async function openStore(directory?: string, logger = silentLogger) {
  const folder = directory ?? (await cleanup.tempFolder("keys"));
  const store = cleanup.add(await PrincipalStore.open(folder, logger), (opened) => opened.close());
  return { folder, store, keys: store.adminKeys };
}

describe("the root key", () => {
  it("is recorded once, public half only, and a different one is refused", async () => {
    const { folder, keys } = await openStore();
    const root = await generateRootKey();
    expect(await keys.setRoot(root.publicKey)).toEqual({
      publicKey: root.publicKey,
      fleet: root.fleet,
    });
    // The same key again changes nothing; another is refused, naming the fleet it has.
    await keys.setRoot(root.publicKey);
    const other = await generateRootKey();
    const refusal = keys.setRoot(other.publicKey);
    await expect(refusal).rejects.toThrow(TrustRefused);
    await expect(refusal).rejects.toThrow(`this fleet already has the root key ${root.fleet}`);
    const journal = await readFile(join(folder, "principals.jsonl"), "utf8");
    expect(journal.match(/root-key-set/g)).toHaveLength(1);
    const privateHalf = root.recoveryKey.split(":")[2] as string;
    expect(journal).not.toContain(privateHalf);
    // Another process reading the same folder sees the first root.
    const again = await openStore(folder);
    expect(again.keys.root?.fleet).toBe(root.fleet);
  });

  it("keeps the first when two processes raced, and says so in the log", async () => {
    const { folder, keys } = await openStore();
    const first = await generateRootKey();
    await keys.setRoot(first.publicKey);
    const second = await generateRootKey();
    const line = {
      op: "root-key-set",
      at: Date.now(),
      publicKey: second.publicKey,
      fleet: second.fleet,
    };
    await appendFile(join(folder, "principals.jsonl"), `${JSON.stringify(line)}\n`);
    const { logger, at } = recordingLogger();
    const reader = await openStore(folder, logger);
    expect(reader.keys.root?.publicKey).toBe(first.publicKey);
    expect(at(LEVEL.error).map((entry) => entry.msg)).toContainEqual(
      expect.stringContaining(`names a second root key (${second.fleet})`),
    );
  });
});

describe("admin keys", () => {
  it("are registered per admin, idempotently, and a key another admin registered is refused", async () => {
    const { keys } = await openStore();
    const key = await newAdminKey();
    const first = await keys.register("alice", { publicKey: key.publicKey, label: "laptop" });
    expect(first.created).toBe(true);
    expect(first.key).toMatchObject({ keyId: key.keyId, admin: "alice", status: "pending" });
    expect((await keys.register("alice", { publicKey: key.publicKey, label: "x" })).created).toBe(
      false,
    );
    await expect(keys.register("bob", { publicKey: key.publicKey, label: "x" })).rejects.toThrow(
      `key ${key.keyId} is registered by admin alice`,
    );
    expect(keys.keys()).toHaveLength(1);
  });

  it(`are at most ${MAX_PENDING_KEYS_PER_ADMIN} waiting per admin`, async () => {
    const { keys } = await openStore();
    for (let index = 0; index < MAX_PENDING_KEYS_PER_ADMIN; index += 1) {
      await keys.register("alice", { publicKey: (await newAdminKey()).publicKey, label: "x" });
    }
    const refusal = keys.register("alice", {
      publicKey: (await newAdminKey()).publicKey,
      label: "x",
    });
    await expect(refusal).rejects.toMatchObject({ kind: "limit" });
    // Another admin is not held to alice's count.
    await keys.register("bob", { publicKey: (await newAdminKey()).publicKey, label: "x" });
  });

  it("take only what the root signed, and certificates only for keys their admin registered", async () => {
    const { folder, keys } = await openStore();
    const root = await generateRootKey();
    const key = await newAdminKey();
    // No root yet: nothing to check a statement against.
    await expect(
      keys.certify(await certificateFor(root, "alice", key.publicKey)),
    ).rejects.toMatchObject({ kind: "no-root" });
    await keys.setRoot(root.publicKey);
    const stranger = await generateRootKey();
    await expect(
      keys.certify(await certificateFor(stranger, "alice", key.publicKey)),
    ).rejects.toMatchObject({ kind: "not-root-signed" });
    await expect(
      keys.certify(await certificateFor(root, "alice", key.publicKey)),
    ).rejects.toMatchObject({ kind: "unknown-key" });
    await keys.register("alice", { publicKey: key.publicKey, label: "laptop" });
    await expect(keys.certify(await certificateFor(root, "bob", key.publicKey))).rejects.toThrow(
      `the certificate names admin bob, but key ${key.keyId} was registered by admin alice`,
    );
    const certified = await keys.certify(await certificateFor(root, "alice", key.publicKey));
    expect(certified).toMatchObject({ created: true, key: { status: "certified" } });
    await expect(keys.revoke(await revocationFor(stranger, key.keyId))).rejects.toMatchObject({
      kind: "not-root-signed",
    });
    const revoked = await keys.revoke(await revocationFor(root, key.keyId, "laptop stolen"));
    expect(revoked.key).toMatchObject({
      status: "revoked",
      revocation: { reason: "laptop stolen" },
    });
    // A key the root certified elsewhere, never registered here, is revoked all the same.
    const elsewhere = await newAdminKey();
    const revokedElsewhere = await keys.revoke(await revocationFor(root, elsewhere.keyId));
    expect(revokedElsewhere).toMatchObject({ created: true, key: undefined });
    // Final: no certificate brings it back.
    await expect(keys.certify(await certificateFor(root, "alice", key.publicKey))).rejects.toThrow(
      "a revocation is final",
    );
    // What was recorded is what another process reads.
    const reader = await openStore(folder);
    expect(reader.keys.key(key.keyId)).toEqual(keys.key(key.keyId));
    expect(reader.keys.certificates()).toHaveLength(1);
    expect(reader.keys.revocations().map((revocation) => revocation.keyId)).toEqual([
      key.keyId,
      elsewhere.keyId,
    ]);
  });
});
