import type { AdminKeyRevocation } from "@outpost/shared-model";
import { TrustVerifier } from "@outpost/shared-model";

/**
 * Why `revocation` is not one the root of `rootPublicKey` signed, or `undefined` when it is.
 * A verifier of its own each time: one that already learnt a revocation of the key would take a
 * forged second one for it without a word.
 */
export async function revocationProblem(
  rootPublicKey: string,
  revocation: AdminKeyRevocation,
): Promise<string | undefined> {
  const verifier = await TrustVerifier.create(rootPublicKey);
  const learnt = await verifier.learnRevocations([revocation]);
  return learnt.length === 1
    ? undefined
    : `revocation of key ${revocation.keyId} is not signed by this fleet's root`;
}
