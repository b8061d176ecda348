import type { AutomergeUrl, Repo } from "@automerge/automerge-repo";
import type { AdminKeyRevocation, FleetTrust, TrustDoc } from "@outpost/shared-model";

/** Writes a revocation the root signed into a TrustDoc (as the relay does when it accepts one). */
export async function publishRevocation(
  admin: Repo,
  trust: FleetTrust,
  revocation: AdminKeyRevocation,
): Promise<void> {
  const handle = await admin.find<TrustDoc>(trust.trustDocUrl as AutomergeUrl);
  handle.change((doc) => {
    doc.revocations[revocation.keyId] = structuredClone(revocation);
  });
}
