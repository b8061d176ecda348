/**
 * The relay's TrustDoc: made once the fleet has a root, on disk before principals.jsonl names
 * it, found again, and fed with what the key store records (from this process or another).
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { DocumentId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { generateRootKey, type NewRootKey, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { certificateFor, newAdminKey, revocationFor } from "../testing/admin-keys.js";
import { PrincipalStore } from "./principal-store.js";
import { recordRootKey } from "./record-root-key.js";
import { TrustDocument } from "./trust-document.js";

const cleanup = cleanupAfterEach();

/** The data folder opened as one relay run does: its journal (followed), a repo and the TrustDoc. */
async function openRelayState(folder: string, logger = silentLogger) {
  const storage = await CrashSafeFileStorageAdapter.create(join(folder, "documents"));
  const repo = new Repo({ storage, network: [] });
  const principals = await PrincipalStore.open(folder, logger);
  principals.follow();
  const pinned: DocumentId[] = [];
  const trust = await TrustDocument.open(repo, principals.adminKeys, {
    logger,
    pin: (documentId) => pinned.push(documentId),
  });
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await trust.close();
      principals.close();
      await repo.shutdown();
      await storage.whenIdle();
    })();
    return closed;
  };
  cleanup.defer(close);
  return { storage, repo, principals, trust, pinned, close };
}

/** A registered, certified key of `admin`, recorded as another process (the CLI) would. */
async function certifyElsewhere(folder: string, root: NewRootKey, admin: string) {
  const cli = cleanup.add(await PrincipalStore.open(folder, silentLogger), (store) =>
    store.close(),
  );
  const key = await newAdminKey();
  await cli.adminKeys.register(admin, { publicKey: key.publicKey, label: "cli" });
  await cli.adminKeys.certify(await certificateFor(root, admin, key.publicKey));
  return { cli, key };
}

describe("TrustDocument", () => {
  it("is made at the first start with a root, on disk before it is named, and found again", async () => {
    const folder = await cleanup.tempFolder("trust");
    const root = await generateRootKey();
    await recordRootKey(folder, root.publicKey);
    const first = await openRelayState(folder);
    const documentId = first.trust.documentId as DocumentId;
    expect(first.principals.adminKeys.trustDocumentId).toBe(documentId);
    expect(await first.storage.hasAnyUnder([documentId])).toBe(true);
    expect(first.pinned).toEqual([documentId]);
    expect(first.trust.fleetTrust()).toEqual({
      rootPublicKey: root.publicKey,
      fleet: root.fleet,
      trustDocUrl: `automerge:${documentId}`,
    });
    await first.close();

    const second = await openRelayState(folder);
    expect(second.trust.documentId).toBe(documentId);
    const doc = (await second.repo.find(`automerge:${documentId}` as never)).doc();
    expect(doc).toEqual({
      schema: 1,
      rootPublicKey: root.publicKey,
      fleet: root.fleet,
      certificates: {},
      revocations: {},
    });
  });

  it("waits for a root set by another process, then takes in what that process recorded", async () => {
    const folder = await cleanup.tempFolder("trust");
    const state = await openRelayState(folder);
    expect(state.trust.fleetTrust()).toBeUndefined();
    const root = await generateRootKey();
    await recordRootKey(folder, root.publicKey);
    await eventually(() => state.trust.fleetTrust() !== undefined, "the TrustDoc to be made");
    const { cli, key } = await certifyElsewhere(folder, root, "alice");
    await cli.adminKeys.revoke(await revocationFor(root, key.keyId, "lost"));
    const handle = await state.repo.find<{ certificates: object; revocations: object }>(
      state.trust.url as never,
    );
    await eventually(
      () => key.keyId in handle.doc().certificates && key.keyId in handle.doc().revocations,
      "the certificate and the revocation in the TrustDoc",
    );
    expect(handle.doc().revocations).toMatchObject({ [key.keyId]: { reason: "lost" } });
  });

  it("takes in at start what was recorded while the relay was down, and leaves out a forged line", async () => {
    const folder = await cleanup.tempFolder("trust");
    const root = await generateRootKey();
    await recordRootKey(folder, root.publicKey);
    const { key } = await certifyElsewhere(folder, root, "alice");
    // A line written into the journal by hand, with a certificate of another root.
    const forgedKey = await newAdminKey();
    const forged = await certificateFor(await generateRootKey(), "mallory", forgedKey.publicKey);
    const line = { op: "admin-key-certified", at: Date.now(), certificate: forged };
    await appendFile(join(folder, "principals.jsonl"), `${JSON.stringify(line)}\n`);
    const { logger, at } = recordingLogger();
    const state = await openRelayState(folder, logger);
    const doc = (await state.repo.find<{ certificates: object }>(state.trust.url as never)).doc();
    expect(Object.keys(doc.certificates)).toEqual([key.keyId]);
    expect(at(LEVEL.error).map((entry) => entry.msg)).toContainEqual(
      expect.stringContaining(
        `certificate of key ${forgedKey.keyId} is not signed by this fleet's root`,
      ),
    );
  });
});
