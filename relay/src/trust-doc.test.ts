/**
 * The fleet's TrustDoc on a real relay (docs/ARCHITECTURE.md, "Trust"): what enrollment and
 * `/v1/session` hand out, who reads it (admins and every enrolled device) and who writes it (the
 * relay alone: a change from any client is refused, counted and logged, and the client keeps
 * reading).
 */
import { join } from "node:path";
import * as A from "@automerge/automerge";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { generateAutomergeUrl, Repo } from "@automerge/automerge-repo";
import type { AdminKeyCertificate, FleetTrust, TrustDoc } from "@outpost/shared-model";
import { generateRootKey, peerIdFor, silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { recordRootKey } from "./state/record-root-key.js";
import { certificateFor, newAdminKey } from "./testing/admin-keys.js";
import { connectedTo, enrollDevice, postEnroll } from "./testing/clients.js";
import { RawPeer } from "./testing/raw-peer.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { rejectionCount } from "./testing/relay-http.js";

const cleanup = cleanupAfterEach();

/** A test relay, closed (its folder removed) after the test. */
async function started(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  return cleanup.add(await startTestRelay(options), (fixture) => fixture.close());
}

async function sessionTrust(relayUrl: string, token: string): Promise<FleetTrust | undefined> {
  const response = await fetch(`${relayUrl}/v1/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { trust?: FleetTrust }).trust;
}

/** A certificate of another fleet's root: what a forger can make, written into the TrustDoc. */
async function foreignCertificate(): Promise<AdminKeyCertificate> {
  const key = await newAdminKey();
  return certificateFor(await generateRootKey(), "mallory", key.publicKey);
}

/** Registers and certifies a key of `admin` on the running relay: the relay writes the TrustDoc. */
async function certifyOnRelay(fixture: TestRelay, admin: string): Promise<string> {
  const keys = fixture.relay.principals.adminKeys;
  if (fixture.root === undefined) throw new Error("the test relay has no root key");
  const key = await newAdminKey();
  await keys.register(admin, { publicKey: key.publicKey, label: "test" });
  await keys.certify(await certificateFor(fixture.root, admin, key.publicKey));
  return key.keyId;
}

/** The TrustDoc as the relay stored it, read from its data folder after it stopped. */
async function storedTrustDoc(fixture: TestRelay, url: AutomergeUrl): Promise<TrustDoc> {
  // Stopping flushes every document; the clients and the folder go at clean-up.
  await fixture.relay.stop();
  const storage = await CrashSafeFileStorageAdapter.create(
    join(fixture.dataDirectory, "documents"),
    { logger: silentLogger },
  );
  const repo = new Repo({ storage, network: [] });
  try {
    return (await repo.find<TrustDoc>(url)).doc();
  } finally {
    await repo.shutdown();
    await storage.whenIdle();
  }
}

describe("a relay without a root key", () => {
  it("refuses enrollment with 503 naming the command, until a root is set while it runs", async () => {
    const fixture = await started({ root: false });
    const { relay } = fixture;
    const enroll = () =>
      postEnroll(relay, {
        enrollmentSecret: secret,
        deviceId: "laptop-a",
        hostname: "laptop-a.example",
        deviceDocUrl,
      });
    const secret = await relay.principals.enrollmentSecret();
    const deviceDocUrl = generateAutomergeUrl();
    const refused = await enroll();
    expect(refused.status).toBe(503);
    expect(refused.body.error).toContain(
      "outpost-relay admin add NAME (or outpost-relay root init)",
    );
    expect(await rejectionCount(relay.url, "enroll-no-root")).toBe(1);
    expect(relay.principals.device("laptop-a")).toBeUndefined();
    expect(await sessionTrust(relay.url, fixture.adminToken)).toBeUndefined();

    // As `outpost-relay root init` in a shell does, while the relay runs.
    const root = await generateRootKey();
    await recordRootKey(fixture.dataDirectory, root.publicKey);
    await eventually(() => relay.trust !== undefined, "the relay to make its TrustDoc");
    const enrolled = await enroll();
    expect(enrolled.status).toBe(200);
    const trust = enrolled.body.trust as FleetTrust;
    expect(trust).toEqual({
      rootPublicKey: root.publicKey,
      fleet: root.fleet,
      trustDocUrl: expect.stringMatching(/^automerge:/),
    });
    expect(await sessionTrust(relay.url, fixture.adminToken)).toEqual(trust);
    expect(await sessionTrust(relay.url, enrolled.body.deviceToken)).toEqual(trust);
  });
});

describe("the TrustDoc", () => {
  it("cannot be a device's DeviceDoc", async () => {
    const { relay } = await started();
    const response = await postEnroll(relay, {
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      deviceId: "mallory",
      hostname: "mallory.example",
      deviceDocUrl: relay.trust?.trustDocUrl,
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toBe("the trust document cannot be a device's DeviceDoc");
    expect(relay.principals.device("mallory")).toBeUndefined();
  });

  it("is read by devices and admins; their changes are refused, and they go on reading", {
    timeout: 60_000,
  }, async () => {
    const fixture = await started();
    const { relay } = fixture;
    const url = relay.trust?.trustDocUrl as AutomergeUrl;
    const mallory = await enrollDevice(relay, "mallory");
    const bystander = await enrollDevice(relay, "laptop-b");
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(admin, relay.peerId);
    const byMallory = await mallory.repo.find<TrustDoc>(url);
    const byBystander = await bystander.repo.find<TrustDoc>(url);
    const byAdmin = await admin.find<TrustDoc>(url);
    for (const handle of [byMallory, byBystander, byAdmin]) {
      expect(handle.doc().rootPublicKey).toBe(fixture.root?.publicKey);
    }

    for (const [index, writer] of [byMallory, byAdmin].entries()) {
      const forged = await foreignCertificate();
      writer.change((trust) => {
        trust.certificates[forged.keyId] = forged;
      });
      await eventually(
        async () => (await rejectionCount(relay.url, "trust-doc-write")) >= index + 1,
        index === 0 ? "the device's change to be refused" : "the admin's change to be refused",
      );
    }

    // The relay's own write reaches every reader, the refused ones included, over the sockets
    // they had: nothing was closed.
    const keyId = await certifyOnRelay(fixture, "alice");
    for (const handle of [byMallory, byBystander, byAdmin]) {
      await eventually(() => keyId in handle.doc().certificates, "the relay's certificate");
    }
    expect(Object.keys(byBystander.doc().certificates)).toEqual([keyId]);
    for (const repo of [mallory.repo, bystander.repo, admin]) {
      expect(repo.peers).toContain(relay.peerId);
    }
    const stored = await storedTrustDoc(fixture, url);
    expect(Object.keys(stored.certificates)).toEqual([keyId]);
    await mallory.repo.shutdown();
    await bystander.repo.shutdown();
  });

  it("refuses changes a request message carries, as automerge-repo would apply them", async () => {
    const fixture = await started();
    const { relay } = fixture;
    const url = relay.trust?.trustDocUrl as AutomergeUrl;
    const device = await enrollDevice(relay, "mallory");
    const current = (await device.repo.find<TrustDoc>(url)).doc();
    const forged = await foreignCertificate();
    const changed = A.change(A.clone(current), (trust) => {
      trust.certificates[forged.keyId] = forged;
    });
    const data = syncMessageWithChanges(changed);
    const peer = await RawPeer.open(relay.syncUrl, device.token);
    const peerId = peerIdFor({ kind: "device", deviceId: device.deviceId }, "raw");
    await peer.join(peerId);
    const documentId = url.slice("automerge:".length);
    peer.sendCbor({ type: "request", senderId: peerId, targetId: relay.peerId, documentId, data });
    await eventually(
      () =>
        peer.received.some((message) => (message as { type?: string }).type === "doc-unavailable"),
      "the relay to answer doc-unavailable",
    );
    expect(await rejectionCount(relay.url, "trust-doc-write")).toBe(1);
    expect(peer.isOpen()).toBe(true);
    await peer.close();
    await device.repo.shutdown();
    const stored = await storedTrustDoc(fixture, url);
    expect(stored.certificates).toEqual({});
  });
});

/** A sync message carrying every change of `doc`: what it sends a peer that has nothing. */
function syncMessageWithChanges(doc: A.Doc<TrustDoc>): Uint8Array {
  let ours = A.initSyncState();
  let theirs = A.initSyncState();
  let empty = A.init<TrustDoc>();
  const [afterHello, hello] = A.generateSyncMessage(doc, ours);
  ours = afterHello;
  [empty, theirs] = A.receiveSyncMessage(empty, theirs, hello as Uint8Array);
  const [, ask] = A.generateSyncMessage(empty, theirs);
  [, ours] = A.receiveSyncMessage(doc, ours, ask as Uint8Array);
  const [, withChanges] = A.generateSyncMessage(doc, ours);
  if (withChanges === null || A.decodeSyncMessage(withChanges).changes.length === 0) {
    throw new Error("expected a sync message with changes");
  }
  return withChanges;
}
