import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo/slim";
import {
  type FleetTrust,
  messageOf,
  type TrustDoc,
  TrustVerifier,
  validateTrustDoc,
} from "@outpost/shared-model";
import type { AdminKeyStore } from "../keys/admin-key-store.js";
import type { AdminKeysClient } from "../keys/admin-keys-client.js";
import { SigningKeys, type SigningState } from "../keys/signing-keys.js";
import { fetchTrust, type Session } from "../session/session.js";
import type { Replica } from "../sync/replica.js";
import { makeLogger } from "../ui/logger.js";

const log = makeLogger("trust");

/** How often a key waiting for the root's certificate asks the relay again. */
export const PENDING_KEY_POLL_MS = 60_000;

/** What a {@link TrustSession} works with. */
export interface TrustSessionOptions {
  replica: Pick<Replica, "session" | "repo" | "connection">;
  client: AdminKeysClient;
  store: AdminKeyStore;
  /** Which browser this is, for the relay's key list. */
  label: string;
  /** The relay's current trust anchor, for a session signed in before it had one. */
  fetchTrust?: (session: Session) => Promise<FleetTrust | undefined>;
  pollMs?: number;
}

/**
 * Everything about trust for the signed-in admin (docs/ARCHITECTURE.md, "Trust"): the fleet's
 * root as pinned at sign-in, a {@link TrustVerifier} for showing who signed what, this browser's
 * {@link SigningKeys}, and what keeps them current: the TrustDoc's certificates and revocations
 * as they sync, the relay's key list on every reconnect, and every minute while a key waits for
 * approval. Non-reactive; the app follows it through {@link onChange}.
 */
export class TrustSession {
  readonly client: AdminKeysClient;
  readonly #options: TrustSessionOptions;
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: (() => void)[] = [];
  #trust: FleetTrust | undefined;
  #verifier: TrustVerifier | undefined;
  #keys: SigningKeys | undefined;
  #signing: SigningState = { kind: "starting" };
  #trustDoc: DocHandle<TrustDoc> | undefined;
  #closed = false;

  constructor(options: TrustSessionOptions) {
    this.#options = options;
    this.client = options.client;
  }

  /** Where the admin's signing keys stand. */
  get signing(): SigningState {
    return this.#signing;
  }

  /** The fleet's verifier, once the root is known. */
  get verifier(): TrustVerifier | undefined {
    return this.#verifier;
  }

  /** The fleet's root and TrustDoc, once known. */
  get fleetTrust(): FleetTrust | undefined {
    return this.#trust;
  }

  /** This browser's keys, once the root is known. */
  get keys(): SigningKeys | undefined {
    return this.#keys;
  }

  /** Calls `listener` after anything changed (keys, certificates, revocations learnt). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Pins the root, opens the keys and starts following the relay and the TrustDoc. */
  async start(): Promise<void> {
    try {
      await this.#start();
    } catch (failure) {
      this.#setSigning({
        kind: "unavailable",
        reason: `signing is not available here: ${messageOf(failure)}`,
      });
    }
  }

  async #start(): Promise<void> {
    const { replica, client, store, label } = this.#options;
    const session = replica.session;
    this.#trust = session.trust ?? (await (this.#options.fetchTrust ?? fetchTrust)(session));
    if (this.#closed) return;
    if (this.#trust === undefined) {
      this.#setSigning({
        kind: "unavailable",
        reason:
          "This relay has no root key (or predates signed commands), so nothing can be signed: commands and policy edits need one. The relay's `admin add` makes it; then sign in again",
      });
      return;
    }
    const verifier = await TrustVerifier.create(this.#trust.rootPublicKey);
    if (verifier.fleet !== this.#trust.fleet) {
      this.#setSigning({
        kind: "unavailable",
        reason: `the relay's root key is ${verifier.fleet}, but it named the fleet ${this.#trust.fleet}: not trusting it`,
      });
      return;
    }
    this.#verifier = verifier;
    const keys = new SigningKeys({
      store,
      client,
      verifier,
      scope: `${new URL(session.relayUrl).host}/${session.admin}`,
      admin: session.admin,
      label,
    });
    this.#keys = keys;
    this.#cleanups.push(keys.onChange((state) => this.#setSigning(state)));
    this.#cleanups.push(
      replica.connection.onStateChange((state) => {
        if (state.kind !== "connected") return;
        void keys.sync();
        if (this.#trustDoc === undefined) void this.#followTrustDoc();
      }),
    );
    const poll = setInterval(() => {
      if (keys.hasPendingKey()) void keys.sync();
    }, this.#options.pollMs ?? PENDING_KEY_POLL_MS);
    this.#cleanups.push(() => clearInterval(poll));
    void this.#followTrustDoc();
    await keys.start();
  }

  /** Stops following the relay and the TrustDoc. */
  close(): void {
    this.#closed = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  async #followTrustDoc(): Promise<void> {
    const trust = this.#trust;
    if (trust === undefined || this.#trustDoc !== undefined) return;
    let handle: DocHandle<TrustDoc>;
    try {
      handle = await this.#options.replica.repo.find<TrustDoc>(trust.trustDocUrl as AutomergeUrl);
    } catch (failure) {
      // Neither here nor on a reachable relay yet: asked again on the next connection.
      log.warn(`the fleet's TrustDoc is not available yet: ${messageOf(failure)}`);
      return;
    }
    if (this.#closed || this.#trustDoc !== undefined) return;
    this.#trustDoc = handle;
    const learn = () => {
      const { value, problems } = validateTrustDoc(handle.doc());
      for (const problem of problems) log.warn(`TrustDoc: ${problem.message}`);
      if (value === null) return;
      if (value.rootPublicKey !== trust.rootPublicKey) {
        log.error("the TrustDoc names another root key than the relay did at sign-in; ignored");
        return;
      }
      void this.#keys?.learn(Object.values(value.certificates), Object.values(value.revocations));
    };
    handle.on("change", learn);
    this.#cleanups.push(() => handle.off("change", learn));
    learn();
  }

  #setSigning(state: SigningState): void {
    this.#signing = state;
    for (const listener of this.#listeners) listener();
  }
}
