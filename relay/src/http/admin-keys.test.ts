/**
 * `/v1/admin-keys` on a real relay (docs/ARCHITECTURE.md, "Relay HTTP for keys"): an admin
 * registers its own key, the root's certificates and revocations are accepted only when they
 * verify and name a registered key, they reach the TrustDoc as an admin's replica reads it, and
 * every refusal says why and is counted.
 */
import type { AutomergeUrl } from "@automerge/automerge-repo";
import type { TrustDoc } from "@outpost/shared-model";
import { generateRootKey, type NewRootKey, parseAdminKeyList } from "@outpost/shared-model";
import { eventually } from "@outpost/shared-model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKeysApi, certificateFor, newAdminKey, revocationFor } from "../testing/admin-keys.js";
import { connectedTo, enrollDevice } from "../testing/clients.js";
import type { TestRelay } from "../testing/relay-fixture.js";
import { startTestRelay } from "../testing/relay-fixture.js";
import { rejectionCount } from "../testing/relay-http.js";

let fixture: TestRelay;
let root: NewRootKey;
let bobToken: string;

beforeAll(async () => {
  root = await generateRootKey();
  fixture = await startTestRelay({ root });
  bobToken = await fixture.relay.principals.addAdmin("bob");
});

afterAll(async () => {
  await fixture?.close();
});

const alice = () => adminKeysApi(fixture.relay.url, fixture.adminToken);
const refusals = (reason: string) => rejectionCount(fixture.relay.url, reason);

describe("registering an admin key", () => {
  it("records the caller's key as pending, once, and lists it with the root", async () => {
    const key = await newAdminKey();
    const registered = await alice().register(key.publicKey, "Chromium on alice-laptop");
    expect(registered.status).toBe(201);
    expect(registered.body.key).toMatchObject({
      keyId: key.keyId,
      admin: "alice",
      publicKey: key.publicKey,
      label: "Chromium on alice-laptop",
      status: "pending",
    });
    const again = await alice().register(key.publicKey, "another label");
    expect(again.status).toBe(200);
    expect(again.body.key.label).toBe("Chromium on alice-laptop");
    const listed = await alice().list();
    expect(listed.status).toBe(200);
    expect(parseAdminKeyList(listed.body)).toMatchObject({
      rootPublicKey: root.publicKey,
      fleet: root.fleet,
    });
    expect(listed.body.keys.filter((entry) => entry.keyId === key.keyId)).toHaveLength(1);
  });

  it("refuses a key another admin registered, a malformed one, and tokens that are not an admin's", async () => {
    const key = await newAdminKey();
    await alice().register(key.publicKey);
    const byBob = await adminKeysApi(fixture.relay.url, bobToken).register(key.publicKey);
    expect(byBob.status).toBe(409);
    expect(byBob.body.error).toBe(`key ${key.keyId} is registered by admin alice`);
    expect(await refusals("admin-key-conflict")).toBeGreaterThanOrEqual(1);

    const malformed = await alice().post("", { publicKey: "not-a-key", label: "x".repeat(201) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems?.map((problem) => problem.path)).toEqual(["publicKey", "label"]);
    expect(await refusals("admin-key-bad-request")).toBeGreaterThanOrEqual(1);

    expect((await adminKeysApi(fixture.relay.url, "opa_wrong").list()).status).toBe(401);
    const device = await enrollDevice(fixture.relay, "laptop-a");
    const byDevice = await adminKeysApi(fixture.relay.url, device.token).register(key.publicKey);
    expect(byDevice.status).toBe(403);
    expect(byDevice.body.error).toBe(
      "admin keys are for admins; this is the token of device:laptop-a",
    );
    await device.repo.shutdown();
  });
});

describe("certificates and revocations", () => {
  it("are refused unless the root signed them (a certificate: for a key its admin registered)", async () => {
    const key = await newAdminKey();
    const stranger = await generateRootKey();
    const unregistered = await alice().certify(await certificateFor(root, "alice", key.publicKey));
    expect(unregistered.status).toBe(404);
    expect(unregistered.body.error).toContain(`no admin key ${key.keyId} is registered`);
    expect(await refusals("admin-key-unknown")).toBe(1);

    await alice().register(key.publicKey);
    const notRoot = await alice().certify(await certificateFor(stranger, "alice", key.publicKey));
    expect(notRoot.status).toBe(422);
    expect(notRoot.body.error).toBe(
      `certificate of key ${key.keyId} is not signed by this fleet's root`,
    );
    const asBob = await alice().certify(await certificateFor(root, "bob", key.publicKey));
    expect(asBob.status).toBe(409);
    const forgedRevocation = await alice().revoke(await revocationFor(stranger, key.keyId));
    expect(forgedRevocation.status).toBe(422);
    expect(await refusals("admin-key-not-root-signed")).toBe(2);
    const malformed = await alice().certify({ admin: "alice", publicKey: key.publicKey });
    expect(malformed.status).toBe(400);
    expect(
      (await alice().list()).body.keys.find((entry) => entry.keyId === key.keyId)?.status,
    ).toBe("pending");
  });

  it("once the root signed them, are in the TrustDoc an admin's replica reads", async () => {
    const key = await newAdminKey();
    // Bob's key, registered by bob; alice posts the root's certificate (the Keys page would).
    await adminKeysApi(fixture.relay.url, bobToken).register(key.publicKey);
    const certificate = await certificateFor(root, "bob", key.publicKey);
    const certified = await alice().certify(certificate);
    expect(certified.status).toBe(201);
    expect(certified.body.key).toMatchObject({ status: "certified", certificate });
    expect((await alice().certify(certificate)).status).toBe(200);

    const replica = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(replica, fixture.relay.peerId);
    const url = fixture.relay.trust?.trustDocUrl as AutomergeUrl;
    const trust = await replica.find<TrustDoc>(url);
    // Answered once on the relay's disk: the replica gets it on its first sync.
    await eventually(() => key.keyId in trust.doc().certificates, "the certificate");
    expect(trust.doc().certificates[key.keyId]).toEqual(certificate);

    const revocation = await revocationFor(root, key.keyId, "laptop stolen");
    const revoked = await alice().revoke(revocation);
    expect(revoked.status).toBe(201);
    expect(revoked.body.key).toMatchObject({ status: "revoked", certificate, revocation });
    await eventually(() => key.keyId in trust.doc().revocations, "the revocation");
    expect(trust.doc().revocations[key.keyId]).toEqual(revocation);
    const recertified = await alice().certify(certificate);
    expect(recertified.status).toBe(409);
    expect(recertified.body.error).toContain("a revocation is final");

    // A key the root certified elsewhere, never registered here, can be revoked all the same.
    const elsewhere = await newAdminKey();
    const revokedElsewhere = await alice().revoke(await revocationFor(root, elsewhere.keyId));
    expect(revokedElsewhere.status).toBe(201);
    expect(revokedElsewhere.body).toMatchObject({ revocation: { keyId: elsewhere.keyId } });
    await eventually(() => elsewhere.keyId in trust.doc().revocations, "the other revocation");
  });
});

describe("a fleet without a root key", () => {
  it("registers keys but refuses the list and certificates with 503", async () => {
    const bare = await startTestRelay({ root: false });
    try {
      const api = adminKeysApi(bare.relay.url, bare.adminToken);
      const key = await newAdminKey();
      expect((await api.register(key.publicKey)).status).toBe(201);
      const listed = await api.list();
      expect(listed.status).toBe(503);
      expect(listed.body.error).toContain("outpost-relay root init");
      const refused = await api.certify(await certificateFor(root, "alice", key.publicKey));
      expect(refused.status).toBe(503);
      expect(refused.body.error).toContain("outpost-relay root init");
      expect(await rejectionCount(bare.relay.url, "admin-key-no-root")).toBe(2);
    } finally {
      await bare.close();
    }
  });
});
