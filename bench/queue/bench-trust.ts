import { saveCredentials } from "@outpost/agent";
import {
  type AdminSigner,
  createTrustDoc,
  type FleetTrust,
  type TrustDoc,
} from "@outpost/shared-model";
import { testRoot } from "@outpost/shared-model/testing";
import type { AgentReplica } from "./agent-replica.js";

/** The bench fleet's root as the agent pinned it, and the admin who signs the queue. */
export interface BenchTrust {
  trust: FleetTrust;
  /** `admin:bench`, certified by the root. */
  signer: AdminSigner;
}

/**
 * Pins the stopped agent of `replica` to a new fleet root, as its enrollment would: the root is
 * written into its credentials (the agent stays offline, so the token is never used), and the
 * fleet's TrustDoc into its storage. Without a root the agent would refuse the whole queue.
 */
export async function pinBenchRoot(
  replica: AgentReplica,
  dataDirectory: string,
  relayUrl: string,
): Promise<BenchTrust> {
  const root = await testRoot();
  const trustDoc = replica.repo.create<TrustDoc>(createTrustDoc(root.publicKey, root.fleet));
  const trust = { rootPublicKey: root.publicKey, fleet: root.fleet, trustDocUrl: trustDoc.url };
  await saveCredentials(dataDirectory, {
    deviceId: replica.deviceId,
    deviceToken: "bench-queue-never-connects",
    relayPeerId: "bench-queue-no-relay",
    relayUrl,
    enrolledAt: new Date().toISOString(),
    trust,
  });
  return { trust, signer: await root.adminSigner("bench") };
}
