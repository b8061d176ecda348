import { EventEmitter } from "node:events";
import type {
  AdminKeyCertificate,
  AdminKeyListing,
  AdminKeyRevocation,
  Logger,
} from "@outpost/shared-model";
import {
  fingerprintOf,
  isPublicKeyText,
  issueCertificate,
  keyIdOf,
  type RootSigner,
  TrustVerifier,
} from "@outpost/shared-model";
import { revocationProblem } from "./root-signed.js";
import type { TrustEntry } from "./trust-entries.js";
import { TrustRefused } from "./trust-refused.js";

/** The fleet's root key as the relay knows it: the public half only. */
export interface FleetRoot {
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  /** Its fingerprint, `SHA256:…`: the fleet's name. */
  fleet: string;
}

/** Events of {@link AdminKeyStore}, whichever process appended the entry. */
export interface AdminKeyStoreEvents {
  /** The fleet's root key became known. */
  "root-set": [root: FleetRoot];
  /** A certificate or revocation was recorded: the TrustDoc has something to take in. */
  statement: [];
  /** An admin registered a key, pending until the root certifies it. */
  registered: [key: AdminKeyListing];
}

/** An admin's keys still waiting for the root, at most: each is a line in principals.jsonl. */
export const MAX_PENDING_KEYS_PER_ADMIN = 20;

interface RegisteredKey {
  admin: string;
  publicKey: string;
  label: string;
  registeredAt: number;
}

/**
 * The fleet's keys as `principals.jsonl` records them (docs/ARCHITECTURE.md, "Trust"): the root's
 * public half, set once; where the TrustDoc is; the admin keys admins registered; and the
 * certificates and revocations the root signed. Nothing is recorded unless it checks out: a
 * certificate or revocation must verify against the root, and a certificate must name a key its
 * admin registered. The first entry wins wherever two processes raced.
 */
export class AdminKeyStore extends EventEmitter<AdminKeyStoreEvents> {
  readonly #append: (entry: TrustEntry) => Promise<void>;
  readonly #logger: Logger;
  #root: FleetRoot | undefined;
  #verifier: Promise<TrustVerifier> | undefined;
  #trustDocumentId: string | undefined;
  readonly #keys = new Map<string, RegisteredKey>();
  readonly #certificates = new Map<string, AdminKeyCertificate>();
  readonly #revocations = new Map<string, AdminKeyRevocation>();

  /** `append` writes one entry to the principal journal (durably) and applies what is new. */
  constructor(append: (entry: TrustEntry) => Promise<void>, logger: Logger) {
    super();
    this.#append = append;
    this.#logger = logger;
  }

  /** The fleet's root key, once set. */
  get root(): FleetRoot | undefined {
    return this.#root;
  }

  /** The TrustDoc's document ID, once the relay made it. */
  get trustDocumentId(): string | undefined {
    return this.#trustDocumentId;
  }

  /** Every registered key with where it stands, oldest first. */
  keys(): AdminKeyListing[] {
    return [...this.#keys.keys()].map((keyId) => this.key(keyId) as AdminKeyListing);
  }

  /** One registered key with where it stands. */
  key(keyId: string): AdminKeyListing | undefined {
    const registered = this.#keys.get(keyId);
    if (registered === undefined) return undefined;
    const certificate = this.#certificates.get(keyId);
    const revocation = this.#revocations.get(keyId);
    return {
      keyId,
      ...registered,
      status: revocation ? "revoked" : certificate ? "certified" : "pending",
      ...(certificate ? { certificate } : {}),
      ...(revocation ? { revocation } : {}),
    };
  }

  /** Every certificate recorded (the TrustDoc's content). */
  certificates(): AdminKeyCertificate[] {
    return [...this.#certificates.values()];
  }

  /** Every revocation recorded (the TrustDoc's content). */
  revocations(): AdminKeyRevocation[] {
    return [...this.#revocations.values()];
  }

  /** A verifier for the fleet's root, to check statements against. */
  verifier(): Promise<TrustVerifier> {
    const root = this.requireRoot();
    this.#verifier ??= TrustVerifier.create(root.publicKey);
    return this.#verifier;
  }

  /**
   * Records the fleet's root public key (raw Ed25519, base64url; never the private half) and
   * returns the fleet it names. The same key again is a no-op.
   *
   * @throws TrustRefused (conflict) when the fleet has another root, or another process set
   *   one at the same moment
   */
  async setRoot(publicKey: string): Promise<FleetRoot> {
    if (!isPublicKeyText(publicKey)) {
      throw new Error(
        `not an Ed25519 public key: ${JSON.stringify(String(publicKey).slice(0, 60))}`,
      );
    }
    if (this.#root === undefined) {
      const fleet = await fingerprintOf(publicKey);
      await this.#append({ op: "root-key-set", at: Date.now(), publicKey, fleet });
    }
    const recorded = this.#root as FleetRoot | undefined;
    if (recorded === undefined || recorded.publicKey !== publicKey) {
      throw new TrustRefused(
        "conflict",
        `this fleet already has the root key ${recorded?.fleet}; a root key cannot be replaced (docs/OPERATIONS.md, "Keys and recovery")`,
      );
    }
    return recorded;
  }

  /** Records where the TrustDoc is (the relay, once the document is on disk). */
  async recordTrustDocument(documentId: string): Promise<void> {
    if (this.#trustDocumentId !== undefined) return;
    await this.#append({ op: "trust-doc-created", at: Date.now(), documentId });
  }

  /**
   * Registers `admin`'s public key, pending until the root certifies it. Idempotent for the same
   * key and admin.
   *
   * @throws TrustRefused (conflict) for a key another admin registered; (limit) past
   *   {@link MAX_PENDING_KEYS_PER_ADMIN}
   */
  async register(
    admin: string,
    registration: { publicKey: string; label: string },
  ): Promise<{ key: AdminKeyListing; created: boolean }> {
    const keyId = await keyIdOf(registration.publicKey);
    const existing = this.#keys.get(keyId);
    if (existing === undefined) {
      const pending = this.keys().filter((key) => key.admin === admin && key.status === "pending");
      if (pending.length >= MAX_PENDING_KEYS_PER_ADMIN) {
        throw new TrustRefused(
          "limit",
          `admin ${admin} has ${pending.length} keys waiting for the root, the most it may have; approve or revoke some first`,
        );
      }
      await this.#append({
        op: "admin-key-registered",
        at: Date.now(),
        admin,
        keyId,
        publicKey: registration.publicKey,
        label: registration.label,
      });
    }
    const key = this.key(keyId) as AdminKeyListing;
    if (key.admin !== admin) {
      throw new TrustRefused("conflict", `key ${keyId} is registered by admin ${key.admin}`);
    }
    return { key, created: existing === undefined };
  }

  /**
   * Certifies the registered key `keyId` with the root (which signs here: the CLI with the
   * recovery key, or `npm start`, a one-machine demo that keeps it).
   *
   * @throws TrustRefused as {@link certify} does, (unknown-key) for a key never registered
   */
  async approve(
    keyId: string,
    root: RootSigner,
  ): Promise<{ key: AdminKeyListing; created: boolean }> {
    const key = this.key(keyId);
    if (key === undefined) {
      throw new TrustRefused("unknown-key", `no admin key ${keyId} is registered`);
    }
    if (key.status === "certified") return { key, created: false };
    const certificate = await issueCertificate(root, {
      admin: key.admin,
      publicKey: key.publicKey,
      keyId,
      issuedAt: Date.now(),
    });
    return this.certify(certificate);
  }

  /**
   * Records a certificate the root signed for a key its admin registered; the same key again is
   * a no-op (the first certificate stays).
   *
   * @throws TrustRefused
   */
  async certify(
    certificate: AdminKeyCertificate,
  ): Promise<{ key: AdminKeyListing; created: boolean }> {
    const problem = await (await this.verifier()).certificateProblem(certificate);
    if (problem !== undefined) throw new TrustRefused("not-root-signed", problem);
    const { keyId, admin } = certificate;
    const registered = this.#keys.get(keyId);
    if (registered === undefined) {
      throw new TrustRefused(
        "unknown-key",
        `no admin key ${keyId} is registered; its admin registers it first (the dashboard does at sign-in)`,
      );
    }
    if (registered.admin !== admin) {
      throw new TrustRefused(
        "conflict",
        `the certificate names admin ${admin}, but key ${keyId} was registered by admin ${registered.admin}`,
      );
    }
    if (this.#revocations.has(keyId)) {
      throw new TrustRefused(
        "conflict",
        `key ${keyId} was revoked, and a revocation is final; register a new key`,
      );
    }
    const created = !this.#certificates.has(keyId);
    if (created) await this.#append({ op: "admin-key-certified", at: Date.now(), certificate });
    return { key: this.key(keyId) as AdminKeyListing, created };
  }

  /**
   * Records a revocation the root signed; final. The key need not be registered here: the root
   * may have certified it elsewhere (a certificate travels in each DeviceDoc it signs in), and
   * whatever the root certified, it must be able to revoke. A second revocation of the same key
   * is a no-op (the first stays).
   *
   * @returns the key as it now stands (`undefined` for a key never registered here), the
   *   revocation in force, and whether this one was new
   * @throws TrustRefused
   */
  async revoke(revocation: AdminKeyRevocation): Promise<{
    key: AdminKeyListing | undefined;
    revocation: AdminKeyRevocation;
    created: boolean;
  }> {
    const problem = await revocationProblem(this.requireRoot().publicKey, revocation);
    if (problem !== undefined) throw new TrustRefused("not-root-signed", problem);
    const { keyId } = revocation;
    const created = !this.#revocations.has(keyId);
    if (created) await this.#append({ op: "admin-key-revoked", at: Date.now(), revocation });
    const recorded = this.#revocations.get(keyId) as AdminKeyRevocation;
    return { key: this.key(keyId), revocation: recorded, created };
  }

  /** Applies one journal entry (the principal store calls it for every line about keys). */
  apply(entry: TrustEntry): void {
    switch (entry.op) {
      case "root-key-set":
        if (this.#root === undefined) {
          this.#root = { publicKey: entry.publicKey, fleet: entry.fleet };
          this.emit("root-set", this.#root);
        } else if (this.#root.publicKey !== entry.publicKey) {
          this.#logger.error(
            { fleet: this.#root.fleet, ignored: entry.fleet },
            `principals.jsonl names a second root key (${entry.fleet}); the first (${this.#root.fleet}) stays`,
          );
        }
        return;
      case "trust-doc-created":
        this.#trustDocumentId ??= entry.documentId;
        return;
      case "admin-key-registered":
        if (!this.#keys.has(entry.keyId)) {
          const { admin, publicKey, label, at } = entry;
          this.#keys.set(entry.keyId, { admin, publicKey, label, registeredAt: at });
          this.emit("registered", this.key(entry.keyId) as AdminKeyListing);
        }
        return;
      case "admin-key-certified":
        this.#record(this.#certificates, entry.certificate);
        return;
      case "admin-key-revoked":
        this.#record(this.#revocations, entry.revocation);
        return;
    }
  }

  #record<S extends { keyId: string }>(statements: Map<string, S>, statement: S): void {
    if (statements.has(statement.keyId)) return;
    statements.set(statement.keyId, statement);
    this.emit("statement");
  }

  /**
   * The fleet's root key.
   *
   * @throws TrustRefused (no-root) while the fleet has none
   */
  requireRoot(): FleetRoot {
    if (this.#root === undefined) {
      throw new TrustRefused(
        "no-root",
        "this fleet has no root key yet; make one with: outpost-relay root init (or admin add NAME)",
      );
    }
    return this.#root;
  }
}
