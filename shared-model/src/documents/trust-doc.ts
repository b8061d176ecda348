import type { AdminKeyCertificate, AdminKeyRevocation } from "../trust/certificates.js";

/** The schema version this code writes and reads for {@link TrustDoc}. */
export const TRUST_DOC_SCHEMA = 1;

/**
 * The fleet's key list (docs/ARCHITECTURE.md, "Trust"): the root public key, and every admin key
 * certificate and revocation the root signed. The relay writes it (it only passes on what the root
 * signed, so it cannot add a trusted key); admins and devices read it, and the relay refuses any
 * change a device sends to it. Agents learn revocations here, and keep them.
 */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type TrustDoc = {
  schema: typeof TRUST_DOC_SCHEMA;
  /** The root's raw Ed25519 public key, base64url. */
  rootPublicKey: string;
  /** The fleet: the root key's fingerprint, `SHA256:…`. */
  fleet: string;
  certificates: Record<string, AdminKeyCertificate>;
  revocations: Record<string, AdminKeyRevocation>;
};

/** The initial content of a fleet's TrustDoc. */
export function createTrustDoc(rootPublicKey: string, fleet: string): TrustDoc {
  return {
    schema: TRUST_DOC_SCHEMA,
    rootPublicKey,
    fleet,
    certificates: {},
    revocations: {},
  };
}
