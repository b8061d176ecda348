import { formatSignature } from "./signature.js";
import { type SignatureScope, signedMessage } from "./signed-message.js";

/**
 * The root's word that a public key is an admin's signing key (one admin, one browser or one
 * machine). Agents trust a signature only when its key has a certificate from the fleet's root.
 */
export interface AdminKeyCertificate {
  /** The admin's name (the key signs as `admin:<admin>`). */
  admin: string;
  /** The raw Ed25519 public key, base64url. */
  publicKey: string;
  /** {@link keyIdOf} the public key. */
  keyId: string;
  /** When the root signed it (epoch ms, the signer's clock). */
  issuedAt: number;
  /** The root's signature over the fields above. */
  signature: string;
}

/** The root's word that an admin key must no longer be trusted; final. */
export interface AdminKeyRevocation {
  keyId: string;
  /** When the root signed it (epoch ms, the signer's clock). */
  revokedAt: number;
  /** Why, for the people reading the key list. */
  reason?: string;
  /** The root's signature over the fields above. */
  signature: string;
}

/** Something that signs for a fleet's root key (the recovery key in a CLI, or in a browser). */
export interface RootSigner {
  /** The fleet: the root key's fingerprint. */
  fleet: string;
  /** The root's key ID, named by its signatures. */
  keyId: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The bytes the root signs for a certificate. */
export function certificateMessage(
  fleet: string,
  certificate: Omit<AdminKeyCertificate, "signature">,
): Uint8Array {
  const { admin, publicKey, keyId, issuedAt } = certificate;
  return signedMessage("admin-key-certificate", fleetScope(fleet), {
    admin,
    publicKey,
    keyId,
    issuedAt,
  });
}

/** The bytes the root signs for a revocation. */
export function revocationMessage(
  fleet: string,
  revocation: Omit<AdminKeyRevocation, "signature">,
): Uint8Array {
  const { keyId, revokedAt, reason } = revocation;
  return signedMessage(
    "admin-key-revocation",
    fleetScope(fleet),
    reason === undefined ? { keyId, revokedAt } : { keyId, revokedAt, reason },
  );
}

/** Signs a certificate for an admin's key with the root. */
export async function issueCertificate(
  root: RootSigner,
  unsigned: Omit<AdminKeyCertificate, "signature">,
): Promise<AdminKeyCertificate> {
  const bytes = await root.sign(certificateMessage(root.fleet, unsigned));
  return { ...unsigned, signature: formatSignature(root.keyId, bytes) };
}

/** Signs a revocation of an admin's key with the root. */
export async function issueRevocation(
  root: RootSigner,
  unsigned: Omit<AdminKeyRevocation, "signature">,
): Promise<AdminKeyRevocation> {
  const bytes = await root.sign(revocationMessage(root.fleet, unsigned));
  return { ...unsigned, signature: formatSignature(root.keyId, bytes) };
}

function fleetScope(fleet: string): SignatureScope {
  return { fleet };
}
