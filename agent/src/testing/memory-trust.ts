import type { DocHandle } from "@automerge/automerge-repo";
import {
  type AdminSigner,
  createTrustDoc,
  type FleetTrust,
  issueRevocation,
  type Logger,
  silentLogger,
  type TrustDoc,
} from "@outpost/shared-model";
import { eventually, type TestRoot, testRoot } from "@outpost/shared-model/testing";
import { AgentTrust } from "../trust/agent-trust.js";
import type { MemoryDevice } from "./memory-device.js";
import { SignedAdmin } from "./signed-admin.js";

/** An agent's trust over a {@link MemoryDevice}: a test fleet's root, pinned, and its TrustDoc. */
export interface MemoryTrust {
  root: TestRoot;
  trust: AgentTrust;
  fleetTrust: FleetTrust;
  trustDoc: DocHandle<TrustDoc>;
  /** A new admin of the fleet, signing what it writes. */
  admin(name: string, now?: () => number): Promise<SignedAdmin>;
  /** Publishes the root's revocation of `signer`'s key and waits until the agent learnt it. */
  revoke(signer: AdminSigner): Promise<void>;
}

/**
 * A test fleet's root pinned by an {@link AgentTrust} of `device` (its state store keeps the
 * revocations), with the fleet's TrustDoc in the same in-memory repo.
 */
export async function memoryTrust(
  device: MemoryDevice,
  logger: Logger = silentLogger,
): Promise<MemoryTrust> {
  const root = await testRoot();
  const trustDoc = device.repo.create<TrustDoc>(createTrustDoc(root.publicKey, root.fleet));
  const fleetTrust = {
    rootPublicKey: root.publicKey,
    fleet: root.fleet,
    trustDocUrl: trustDoc.url,
  };
  const trust = new AgentTrust({ store: device.store, repo: device.repo, logger });
  await trust.pin(fleetTrust, "given by the test");
  return {
    root,
    trust,
    fleetTrust,
    trustDoc,
    admin: async (name, now) => new SignedAdmin(await root.adminSigner(name), now),
    async revoke(signer) {
      const revocation = await issueRevocation(root.key, {
        keyId: signer.certificate.keyId,
        revokedAt: Date.now(),
      });
      const generation = () => (trust.status.kind === "pinned" ? trust.status.generation : -1);
      const before = generation();
      trustDoc.change((doc) => {
        doc.revocations[revocation.keyId] = revocation;
      });
      // Announced once it is on disk: from then on the agent acts on it.
      await eventually(() => generation() > before, "the agent learning the revocation");
    },
  };
}
