/**
 * The agent's trust anchor and the TrustDoc it follows: revocations learnt are kept across a
 * restart, and nothing the root did not sign is learnt (logged once, otherwise ignored).
 */
import {
  createTrustDoc,
  issueCertificate,
  issueRevocation,
  keyIdOf,
  type TrustDoc,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
  testRoot,
} from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { AgentStateStore } from "../state/agent-state.js";
import { memoryDevice } from "../testing/memory-device.js";
import { memoryTrust } from "../testing/memory-trust.js";
import { AgentTrust } from "./agent-trust.js";

const cleanup = cleanupAfterEach();

describe("AgentTrust", () => {
  it("keeps every revocation it learnt in the state file, and knows it again after a restart", async () => {
    const memory = await memoryDevice(cleanup, "trust-restart");
    const fleet = await memoryTrust(memory);
    const alice = await fleet.admin("alice");
    await fleet.revoke(alice.signer);
    await fleet.trust.stop();
    // A restart, with a TrustDoc that has not synced the revocation (a fresh, empty one).
    const reopened = await AgentStateStore.open(memory.folder, () => {
      throw new Error("the state file exists");
    });
    const empty = memory.repo.create<TrustDoc>(
      createTrustDoc(fleet.root.publicKey, fleet.root.fleet),
    );
    const { logger } = recordingLogger();
    const restarted = new AgentTrust({ store: reopened, repo: memory.repo, logger });
    cleanup.defer(() => restarted.stop());
    await restarted.pin({ ...fleet.fleetTrust, trustDocUrl: empty.url }, "after a restart");
    const status = restarted.status;
    expect(
      status.kind === "pinned" && status.verifier.isRevoked(alice.signer.certificate.keyId),
    ).toBe(true);
  });

  it("learns nothing the pinned root did not sign, and says so once", async () => {
    const memory = await memoryDevice(cleanup, "trust-forged");
    const { logger, at } = recordingLogger();
    const fleet = await memoryTrust(memory, logger);
    const alice = await fleet.admin("alice");
    const impostor = await testRoot();
    // The relay (or whoever holds its data folder) writes a revocation and a certificate of its own.
    const fakeRevocation = await issueRevocation(impostor.key, {
      keyId: alice.signer.certificate.keyId,
      revokedAt: 1,
    });
    const mallory = await impostor.adminSigner("mallory");
    fleet.trustDoc.change((doc) => {
      doc.revocations[fakeRevocation.keyId] = fakeRevocation;
      doc.certificates[mallory.certificate.keyId] = mallory.certificate;
    });
    await eventually(() => at(LEVEL.warn).length >= 2, "the refusals logged");
    fleet.trustDoc.change((doc) => {
      doc.certificates[mallory.certificate.keyId] = { ...mallory.certificate };
    });
    // A certificate the real root signed is learnt: a signer needs no copy in each document.
    const bob = await fleet.root.adminSigner("bob");
    const before = fleet.trust.status.kind === "pinned" ? fleet.trust.status.generation : -1;
    fleet.trustDoc.change((doc) => {
      doc.certificates[bob.certificate.keyId] = bob.certificate;
    });
    await eventually(
      () => fleet.trust.status.kind === "pinned" && fleet.trust.status.generation > before,
      "bob's certificate learnt",
    );
    const status = fleet.trust.status;
    if (status.kind !== "pinned") throw new Error("pinned");
    expect(status.verifier.isRevoked(alice.signer.certificate.keyId)).toBe(false);
    expect(await status.verifier.certificateProblem(mallory.certificate)).toMatch(/not signed/);
    expect(at(LEVEL.warn).map((line) => line.msg)).toEqual([
      expect.stringMatching(
        /^TrustDoc certificate ignored: certificate of key .* is not signed by/,
      ),
      `TrustDoc revocation of key ${alice.signer.certificate.keyId} ignored: not signed by this fleet's root`,
    ]);
    expect(memory.store.state.revocations).toBeUndefined();
  });

  it("ignores a TrustDoc of another root whole, and never swaps the root it pinned", async () => {
    const memory = await memoryDevice(cleanup, "trust-other-root");
    const { logger, at } = recordingLogger();
    const fleet = await memoryTrust(memory, logger);
    const other = await testRoot();
    const otherDoc = memory.repo.create<TrustDoc>(createTrustDoc(other.publicKey, other.fleet));
    await fleet.trust.pin(
      { rootPublicKey: other.publicKey, fleet: other.fleet, trustDocUrl: otherDoc.url },
      "a second relay",
    );
    const status = fleet.trust.status;
    expect(status.kind === "pinned" && status.verifier.fleet).toBe(fleet.root.fleet);
    expect(at(LEVEL.error).map((line) => line.msg)).toEqual([
      `a second relay names the root key ${other.fleet}, but this agent pinned ${fleet.root.fleet}: keeping it`,
    ]);
    // The pinned root's TrustDoc replaced by one of another root (its own certificate inside).
    const publicKey = other.publicKey;
    const certificate = await issueCertificate(other.key, {
      admin: "eve",
      publicKey,
      keyId: await keyIdOf(publicKey),
      issuedAt: 1,
    });
    fleet.trustDoc.change((doc) => {
      doc.rootPublicKey = other.publicKey;
      doc.fleet = other.fleet;
      doc.certificates[certificate.keyId] = certificate;
    });
    await eventually(() => at(LEVEL.warn).length > 0, "the other root's TrustDoc refused");
    expect(at(LEVEL.warn)[0]?.msg).toMatch(/is of another root key .*: ignored$/);
  });
});
