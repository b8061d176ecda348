import type { AdminKeyCertificate, AdminKeyRevocation } from "./certificates.js";
import { certificateMessage, revocationMessage } from "./certificates.js";
import { fingerprintOf, importPublicKey, keyIdOf, verifyEd25519 } from "./keys.js";
import { parseSignature } from "./signature.js";
import { itemMessage, type SignedItem } from "./signed-items.js";

/** Why a signature is not trusted: the reason an agent records when it refuses the item. */
export const SIGNATURE_PROBLEMS = [
  "signature-missing",
  "signature-invalid",
  "signer-unknown",
  "signer-revoked",
] as const;
/** One of {@link SIGNATURE_PROBLEMS}. */
export type SignatureProblem = (typeof SIGNATURE_PROBLEMS)[number];

/** A verifier's answer: who signed it, or why it is not trusted (`detail` says so to people). */
export type SignatureVerdict =
  | { ok: true; admin: string; keyId: string }
  | { ok: false; problem: SignatureProblem; detail: string };

/** Verified signatures remembered (by signature and message), so a queue is checked once. */
const CACHE_LIMIT = 50_000;

/**
 * Decides whether to trust what an admin signed, from the fleet's root public key alone (pinned by
 * the agent at enrollment): a signature counts when its key has a certificate signed by the root,
 * has not been revoked by the root, belongs to the admin the item names, and signed exactly this
 * item for exactly this device. The relay, which has no root private key, can write items and
 * certificates but cannot make them verify.
 */
export class TrustVerifier {
  readonly rootPublicKey: string;
  /** The fleet: the root key's fingerprint. */
  readonly fleet: string;
  readonly #root: CryptoKey;
  readonly #rootKeyId: string;
  /** Certificates learnt outside documents (the TrustDoc), by key ID, checked. */
  readonly #certificates = new Map<string, AdminKeyCertificate>();
  readonly #revoked = new Map<string, AdminKeyRevocation>();
  /** Certificate checks by signature and signed fields: the same certificate in many documents. */
  readonly #certificateChecks = new Map<string, Promise<string | undefined>>();
  readonly #signatureChecks = new Map<string, boolean>();
  readonly #publicKeys = new Map<string, Promise<CryptoKey>>();

  private constructor(rootPublicKey: string, fleet: string, root: CryptoKey, rootKeyId: string) {
    this.rootPublicKey = rootPublicKey;
    this.fleet = fleet;
    this.#root = root;
    this.#rootKeyId = rootKeyId;
  }

  /** A verifier for the fleet whose root public key (raw, base64url) is `rootPublicKey`. */
  static async create(rootPublicKey: string): Promise<TrustVerifier> {
    return new TrustVerifier(
      rootPublicKey,
      await fingerprintOf(rootPublicKey),
      await importPublicKey(rootPublicKey),
      await keyIdOf(rootPublicKey),
    );
  }

  /**
   * Why `certificate` is not a valid certificate from this fleet's root, or `undefined` when it
   * is (its key ID matches its key, and the root signed it).
   */
  certificateProblem(certificate: AdminKeyCertificate): Promise<string | undefined> {
    // Keyed by what the root signed as well as the signature: a certificate that copies a real
    // one's signature onto another key must be checked, never handed the real one's verdict.
    const signed = new TextDecoder().decode(certificateMessage(this.fleet, certificate));
    const cacheKey = `${certificate.signature}\n${signed}`;
    let check = this.#certificateChecks.get(cacheKey);
    if (check === undefined) {
      check = this.#checkCertificate(certificate);
      this.#certificateChecks.set(cacheKey, check);
    }
    return check;
  }

  /** Learns certificates (from the TrustDoc); returns the key IDs of those refused, with why. */
  async learnCertificates(
    certificates: Iterable<AdminKeyCertificate>,
  ): Promise<{ keyId: string; problem: string }[]> {
    const refused: { keyId: string; problem: string }[] = [];
    for (const certificate of certificates) {
      const problem = await this.certificateProblem(certificate);
      if (problem === undefined) this.#certificates.set(certificate.keyId, certificate);
      else refused.push({ keyId: certificate.keyId, problem });
    }
    return refused;
  }

  /**
   * Learns revocations signed by the root; returns the key IDs newly revoked. A revocation is
   * final: once learnt, nothing un-learns it.
   */
  async learnRevocations(revocations: Iterable<AdminKeyRevocation>): Promise<string[]> {
    const added: string[] = [];
    for (const revocation of revocations) {
      if (this.#revoked.has(revocation.keyId)) continue;
      if (
        !(await this.#rootSigned(revocation.signature, revocationMessage(this.fleet, revocation)))
      )
        continue;
      this.#revoked.set(revocation.keyId, revocation);
      added.push(revocation.keyId);
    }
    return added;
  }

  /** True once a revocation of `keyId` signed by the root was learnt. */
  isRevoked(keyId: string): boolean {
    return this.#revoked.has(keyId);
  }

  /** Every revocation learnt, for the agent to keep across restarts. */
  revocations(): AdminKeyRevocation[] {
    return [...this.#revoked.values()];
  }

  /**
   * Whether to trust `item` as written in `device`'s document, whose `signers` map is
   * `signers` (the certificates written beside the items).
   */
  async verify(
    item: SignedItem,
    device: string,
    signers: Readonly<Record<string, AdminKeyCertificate>> | undefined,
  ): Promise<SignatureVerdict> {
    if (item.signature === undefined) {
      return { ok: false, problem: "signature-missing", detail: `unsigned (${item.claimedBy})` };
    }
    const parts = parseSignature(item.signature);
    if (parts === undefined) {
      return { ok: false, problem: "signature-invalid", detail: "malformed signature" };
    }
    const found = await this.#certificateFor(parts.keyId, signers);
    if (!found.ok) return { ok: false, problem: "signer-unknown", detail: found.detail };
    const certificate = found.certificate;
    if (this.isRevoked(parts.keyId)) {
      return {
        ok: false,
        problem: "signer-revoked",
        detail: `key ${parts.keyId} of admin ${certificate.admin} was revoked`,
      };
    }
    if (item.claimedBy !== `admin:${certificate.admin}`) {
      return {
        ok: false,
        problem: "signature-invalid",
        detail: `signed with ${certificate.admin}'s key but written as ${item.claimedBy}`,
      };
    }
    const message = itemMessage(item, { fleet: this.fleet, device });
    const cacheKey = `${item.signature}\n${new TextDecoder().decode(message)}`;
    let valid = this.#signatureChecks.get(cacheKey);
    if (valid === undefined) {
      valid = await verifyEd25519(
        await this.#publicKey(certificate.publicKey),
        message,
        parts.bytes,
      );
      this.#remember(cacheKey, valid);
    }
    if (!valid) {
      return {
        ok: false,
        problem: "signature-invalid",
        detail: `the signature of ${certificate.admin}'s key does not match this ${item.purpose} on ${device}`,
      };
    }
    return { ok: true, admin: certificate.admin, keyId: parts.keyId };
  }

  /**
   * The valid certificate of `keyId`: the document's, else the one learnt from the TrustDoc. A bad
   * certificate written into the document under a real key's ID (a device or relay may write
   * there) does not hide a good one the verifier knows.
   */
  async #certificateFor(
    keyId: string,
    signers: Readonly<Record<string, AdminKeyCertificate>> | undefined,
  ): Promise<{ ok: true; certificate: AdminKeyCertificate } | { ok: false; detail: string }> {
    let detail = `key ${keyId} has no certificate from this fleet's root`;
    for (const candidate of [signers?.[keyId], this.#certificates.get(keyId)]) {
      if (candidate === undefined) continue;
      if (candidate.keyId !== keyId) {
        detail = `the certificate written for key ${keyId} names the key ${candidate.keyId}`;
        continue;
      }
      const problem = await this.certificateProblem(candidate);
      if (problem === undefined) return { ok: true, certificate: candidate };
      detail = problem;
    }
    return { ok: false, detail };
  }

  async #checkCertificate(certificate: AdminKeyCertificate): Promise<string | undefined> {
    let keyId: string;
    try {
      keyId = await keyIdOf(certificate.publicKey);
    } catch {
      return `certificate of key ${certificate.keyId} holds no valid public key`;
    }
    if (keyId !== certificate.keyId) {
      return `certificate of key ${certificate.keyId} names the key ${keyId}`;
    }
    if (
      !(await this.#rootSigned(certificate.signature, certificateMessage(this.fleet, certificate)))
    )
      return `certificate of key ${certificate.keyId} is not signed by this fleet's root`;
    return undefined;
  }

  async #rootSigned(signature: string, message: Uint8Array): Promise<boolean> {
    const parts = parseSignature(signature);
    if (parts === undefined || parts.keyId !== this.#rootKeyId) return false;
    return verifyEd25519(this.#root, message, parts.bytes);
  }

  #publicKey(publicKey: string): Promise<CryptoKey> {
    let key = this.#publicKeys.get(publicKey);
    if (key === undefined) {
      key = importPublicKey(publicKey);
      this.#publicKeys.set(publicKey, key);
    }
    return key;
  }

  #remember(cacheKey: string, valid: boolean): void {
    if (this.#signatureChecks.size >= CACHE_LIMIT) {
      const oldest = this.#signatureChecks.keys().next().value;
      if (oldest !== undefined) this.#signatureChecks.delete(oldest);
    }
    this.#signatureChecks.set(cacheKey, valid);
  }
}
