import {
  type AdminKeyCertificate,
  type AdminKeyListing,
  type AdminKeyRevocation,
  issueCertificate,
  issueRevocation,
  keyIdOf,
  openRootKey,
  type RootKey,
} from "@outpost/shared-model";
import type { AdminKeysClient } from "./admin-keys-client.js";

/**
 * Opens a pasted recovery key for one use on the Keys page, after checking that it is this
 * fleet's (`rootPublicKey`, pinned at sign-in). The caller signs with it and lets it go: the
 * opened key lives only in this call's scope and is never stored or sent.
 *
 * @throws InvalidRecoveryKey for text that is not a recovery key; Error for another fleet's
 */
export async function openFleetRoot(recoveryKey: string, rootPublicKey: string): Promise<RootKey> {
  const root = await openRootKey(recoveryKey);
  if (root.publicKey !== rootPublicKey) {
    throw new Error(
      `this recovery key is the root of another fleet (${root.fleet}); paste this fleet's`,
    );
  }
  return root;
}

/**
 * Certifies a key the relay lists as pending, with the root, and hands the certificate to the
 * relay. The key ID is computed here from the public key, not taken from the relay's list: the
 * root signs only what this page checked.
 */
export async function approveKey(
  root: RootKey,
  key: Pick<AdminKeyListing, "admin" | "publicKey" | "keyId">,
  client: Pick<AdminKeysClient, "certify">,
  issuedAt: number,
): Promise<AdminKeyCertificate> {
  const keyId = await keyIdOf(key.publicKey);
  if (keyId !== key.keyId) {
    throw new Error(
      `the relay lists key ${key.keyId} with a public key whose ID is ${keyId}; not approving it`,
    );
  }
  const certificate = await issueCertificate(root, {
    admin: key.admin,
    publicKey: key.publicKey,
    keyId,
    issuedAt,
  });
  await client.certify(certificate);
  return certificate;
}

/** Revokes a key with the root, for good, and hands the revocation to the relay. */
export async function revokeKey(
  root: RootKey,
  keyId: string,
  client: Pick<AdminKeysClient, "revoke">,
  revokedAt: number,
  reason?: string,
): Promise<AdminKeyRevocation> {
  const trimmed = reason?.trim();
  const revocation = await issueRevocation(root, {
    keyId,
    revokedAt,
    ...(trimmed ? { reason: trimmed } : {}),
  });
  await client.revoke(revocation);
  return revocation;
}
