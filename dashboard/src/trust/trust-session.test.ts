import {
  createTrustDoc,
  issueCertificate,
  issueRevocation,
  type TrustDoc,
} from "@outpost/shared-model";
import { eventually, type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdminKeyStore } from "../keys/admin-key-store.js";
import type { SigningState } from "../keys/signing-keys.js";
import { KeyRegistry, registryClient } from "../testing/key-registry.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { TrustSession } from "./trust-session.js";

let root: TestRoot;
let registry: KeyRegistry;
let replica: ReturnType<typeof makeTestReplica>;
let store: AdminKeyStore;
let session: TrustSession | undefined;

beforeEach(async () => {
  root = await testRoot();
  registry = new KeyRegistry(root);
  store = new AdminKeyStore(`keys-${crypto.randomUUID()}`);
});

afterEach(async () => {
  session?.close();
  session = undefined;
  await store.close();
  await replica.close();
});

/** A replica signed in to a relay whose root is `root`, with the fleet's TrustDoc in it. */
function signedIn() {
  replica = makeTestReplica({ admin: "alice" });
  const trustDoc = replica.repo.create<TrustDoc>(createTrustDoc(root.publicKey, root.fleet));
  // The relay names its TrustDoc at sign-in; here the document is made in this replica first.
  Object.assign(replica.session, {
    trust: { rootPublicKey: root.publicKey, fleet: root.fleet, trustDocUrl: trustDoc.url },
  });
  return trustDoc;
}

const kind = (state: SigningState) =>
  state.kind === "ready" ? state.keys.map((key) => key.status) : state.kind;

describe("TrustSession", () => {
  it("learns the key's certificate and revocation from the TrustDoc as the relay writes them", async () => {
    const trustDoc = signedIn();
    session = new TrustSession({
      replica,
      client: registryClient(registry, "alice"),
      store,
      label: "Chrome on Linux",
    });
    await session.start();
    expect(kind(session.signing)).toEqual(["pending"]);
    const [pending] = registry.list().keys;
    if (pending === undefined) throw new Error("not registered");

    const certificate = await issueCertificate(root.key, { ...pending, issuedAt: 1 });
    trustDoc.change((doc) => {
      doc.certificates[pending.keyId] = certificate;
    });
    await eventually(() => expect(kind(session?.signing as SigningState)).toEqual(["certified"]));
    expect(session.verifier?.fleet).toBe(root.fleet);

    const revocation = await issueRevocation(root.key, { keyId: pending.keyId, revokedAt: 2 });
    trustDoc.change((doc) => {
      doc.revocations[pending.keyId] = revocation;
    });
    await eventually(() => expect(kind(session?.signing as SigningState)).toEqual(["revoked"]));
    expect(session.verifier?.isRevoked(pending.keyId)).toBe(true);
  });

  it("asks the relay again while the key waits, and learns the approval", async () => {
    signedIn();
    session = new TrustSession({
      replica,
      client: registryClient(registry, "alice"),
      store,
      label: "Chrome on Linux",
      pollMs: 20,
    });
    await session.start();
    const [pending] = registry.list().keys;
    if (pending === undefined) throw new Error("not registered");
    await registry.certify(await issueCertificate(root.key, { ...pending, issuedAt: 1 }));
    await eventually(() => expect(kind(session?.signing as SigningState)).toEqual(["certified"]));
  });

  it("says plainly that nothing can be signed when the relay has no root key", async () => {
    replica = makeTestReplica({ admin: "alice" });
    session = new TrustSession({
      replica,
      client: registryClient(registry, "alice"),
      store,
      label: "Chrome on Linux",
      fetchTrust: async () => undefined,
    });
    await session.start();
    expect(session.signing).toEqual({
      kind: "unavailable",
      reason: expect.stringMatching(
        /^This relay has no root key .* commands and policy edits need one/,
      ),
    });
    expect(registry.list().keys).toEqual([]);
  });
});
