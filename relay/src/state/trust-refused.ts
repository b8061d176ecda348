/** Why the relay refused a key or a statement about one (see {@link TrustRefused}). */
export type TrustRefusalKind =
  /** The fleet has no root key yet: nothing can be checked against it. */
  | "no-root"
  /** A certificate or revocation the fleet's root did not sign. */
  | "not-root-signed"
  /** A statement about a key nobody registered. */
  | "unknown-key"
  /** A key of another admin, a certificate naming another admin, a revoked key, a second root. */
  | "conflict"
  /** An admin with too many keys waiting for the root. */
  | "limit";

/**
 * Thrown for a root key, admin key, certificate or revocation the relay does not accept; the
 * message says what was wrong and what to do. The HTTP routes answer with it, the CLI prints it.
 */
export class TrustRefused extends Error {
  override name = "TrustRefused";

  constructor(
    readonly kind: TrustRefusalKind,
    message: string,
  ) {
    super(message);
  }
}
