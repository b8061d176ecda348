import {
  type AdminKeyCertificate,
  type AdminKeyRevocation,
  type AdminKeyStatus,
  type AdminSigner,
  messageOf,
  type TrustVerifier,
  webCryptoSigner,
} from "@outpost/shared-model";
import type { AdminKeyStore, StoredAdminKey } from "./admin-key-store.js";
import type { AdminKeysClient } from "./admin-keys-client.js";

/** One of this browser's keys for the signed-in admin, as far as this browser knows. */
export interface OwnKey {
  keyId: string;
  publicKey: string;
  label: string;
  createdAt: number;
  status: AdminKeyStatus;
  certificate?: AdminKeyCertificate;
  revokedAt?: number;
  /** True once the relay accepted its registration or listed it. */
  registered: boolean;
}

/** Where the admin's signing keys stand in this browser. */
export type SigningState =
  | { kind: "starting" }
  | { kind: "unavailable"; reason: string }
  | {
      kind: "ready";
      /** Oldest first; the newest is the one a rotation made. */
      keys: readonly OwnKey[];
      /** The newest certified, unrevoked key: what signs now. */
      signer: AdminSigner | undefined;
      /** What went wrong asking the relay last time (its own words); cleared by a success. */
      problem?: string;
    };

/** What {@link SigningKeys} works with. */
export interface SigningKeysOptions {
  store: AdminKeyStore;
  client: AdminKeysClient;
  /** The fleet's verifier (root pinned at sign-in): a certificate counts only when it verifies. */
  verifier: TrustVerifier;
  /** `<relay host>/<admin>`: whose keys these are. */
  scope: string;
  /** The signed-in admin (a certificate for another admin's name is of no use to this one). */
  admin: string;
  /** Which browser this is, for the relay's key list. */
  label: string;
  clock?: () => number;
}

/**
 * The signed-in admin's signing keys in this browser: made at first sign-in, registered with the
 * relay, certified by the root (learnt from the relay's key list or the TrustDoc, and kept with
 * the key, so signing works offline after a reload), rotated on request. Non-reactive: the app
 * follows it through {@link onChange}. Every relay call runs one at a time.
 */
export class SigningKeys {
  readonly #options: SigningKeysOptions;
  readonly #clock: () => number;
  readonly #listeners = new Set<(state: SigningState) => void>();
  readonly #registered = new Set<string>();
  #keys: StoredAdminKey[] = [];
  #state: SigningState = { kind: "starting" };
  #problem: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SigningKeysOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  get state(): SigningState {
    return this.#state;
  }

  /** Calls `listener` after every change of {@link state}; returns the unsubscribe function. */
  onChange(listener: (state: SigningState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads this browser's keys (making the first one), then registers and asks the relay. */
  start(): Promise<void> {
    return this.#serially(async () => {
      try {
        this.#keys = await this.#options.store.keysOf(this.#options.scope);
        if (this.#keys.length === 0) await this.#createKey();
      } catch (failure) {
        this.#set({
          kind: "unavailable",
          reason: `no signing key in this browser: ${messageOf(failure)}`,
        });
        return;
      }
      this.#publish();
      await this.#syncNow();
    });
  }

  /** Registers what the relay does not know yet and learns where each key stands. */
  sync(): Promise<void> {
    return this.#serially(() => this.#syncNow());
  }

  /** Makes a new key and registers it; the current one signs until the root certifies it. */
  rotate(): Promise<void> {
    return this.#serially(async () => {
      await this.#createKey();
      this.#publish();
      await this.#syncNow();
    });
  }

  /** Learns certificates and revocations signed by the root (from the key list or the TrustDoc). */
  learn(
    certificates: Iterable<AdminKeyCertificate>,
    revocations: Iterable<AdminKeyRevocation>,
  ): Promise<void> {
    return this.#serially(() => this.#learnNow([...certificates], [...revocations]));
  }

  /** True while a key of this browser waits for the root's certificate. */
  hasPendingKey(): boolean {
    return this.#keys.some((key) => key.certificate === undefined && key.revokedAt === undefined);
  }

  async #syncNow(): Promise<void> {
    if (this.#state.kind !== "ready") return;
    const { client, verifier } = this.#options;
    try {
      for (const key of this.#keys) {
        if (key.certificate !== undefined || key.revokedAt !== undefined) continue;
        if (this.#registered.has(key.keyId)) continue;
        await client.register({ publicKey: key.publicKey, label: key.label });
        this.#registered.add(key.keyId);
      }
      const list = await client.list();
      if (list.rootPublicKey !== verifier.rootPublicKey) {
        throw new Error(
          `the relay now names the root key ${list.fleet}, not ${verifier.fleet} as at sign-in; its key list is not trusted (sign out and in again if the fleet's root really changed)`,
        );
      }
      for (const entry of list.keys) this.#registered.add(entry.keyId);
      this.#problem = undefined;
      await this.#learnNow(
        list.keys.flatMap((entry) => (entry.certificate ? [entry.certificate] : [])),
        list.keys.flatMap((entry) => (entry.revocation ? [entry.revocation] : [])),
      );
    } catch (failure) {
      this.#problem = messageOf(failure);
      this.#publish();
    }
  }

  async #learnNow(
    certificates: AdminKeyCertificate[],
    revocations: AdminKeyRevocation[],
  ): Promise<void> {
    const { verifier, store, admin } = this.#options;
    await verifier.learnCertificates(certificates);
    await verifier.learnRevocations(revocations);
    for (const key of this.#keys) {
      let changed = false;
      for (const certificate of certificates) {
        // The verifier checks that the key ID is the hash of the certified public key, so a
        // certificate for this key ID is one for this key.
        if (
          key.certificate === undefined &&
          certificate.keyId === key.keyId &&
          certificate.admin === admin &&
          (await verifier.certificateProblem(certificate)) === undefined
        ) {
          key.certificate = structuredClone(certificate);
          changed = true;
        }
      }
      if (key.revokedAt === undefined && verifier.isRevoked(key.keyId)) {
        const revocation = verifier.revocations().find((entry) => entry.keyId === key.keyId);
        key.revokedAt = revocation?.revokedAt ?? this.#clock();
        changed = true;
      }
      if (changed) await store.put(key);
    }
    this.#publish();
  }

  async #createKey(): Promise<void> {
    const { store, scope, label } = this.#options;
    this.#keys.push(await store.create(scope, label, this.#clock()));
  }

  #publish(): void {
    if (this.#state.kind === "unavailable") return;
    const { verifier } = this.#options;
    const usable = this.#keys
      .filter((key) => key.certificate && key.revokedAt === undefined)
      .at(-1);
    this.#set({
      kind: "ready",
      keys: this.#keys.map((key) => this.#ownKey(key)),
      signer: usable?.certificate
        ? webCryptoSigner(usable.privateKey, usable.certificate, verifier.fleet)
        : undefined,
      ...(this.#problem === undefined ? {} : { problem: this.#problem }),
    });
  }

  #ownKey(key: StoredAdminKey): OwnKey {
    const status: AdminKeyStatus =
      key.revokedAt !== undefined ? "revoked" : key.certificate ? "certified" : "pending";
    return {
      keyId: key.keyId,
      publicKey: key.publicKey,
      label: key.label,
      createdAt: key.createdAt,
      status,
      registered: this.#registered.has(key.keyId),
      ...(key.certificate ? { certificate: key.certificate } : {}),
      ...(key.revokedAt === undefined ? {} : { revokedAt: key.revokedAt }),
    };
  }

  #set(state: SigningState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
