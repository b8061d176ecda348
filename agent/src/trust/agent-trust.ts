import type { Repo } from "@automerge/automerge-repo";
import {
  type AdminKeyRevocation,
  type FleetTrust,
  type Logger,
  TrustVerifier,
} from "@outpost/shared-model";
import type { AgentStateStore } from "../state/agent-state.js";
import { TrustDocFollower, type TrustDocLessons } from "./trust-doc-follower.js";
import type { TrustSource, TrustStatus } from "./trust-status.js";

/**
 * The agent's trust anchor (docs/ARCHITECTURE.md, "Trust"): the fleet's root key once pinned,
 * with the revocations the agent keeps in its state file and what it learns from the TrustDoc.
 * Starts `awaiting`; {@link pin} makes it `pinned` (for good: a root is never replaced), and
 * {@link markAbsent} says there is no root to pin. Every change is announced, so the queue is
 * planned and the policy applied again.
 */
export class AgentTrust implements TrustSource {
  readonly #store: AgentStateStore;
  readonly #repo: Repo;
  readonly #logger: Logger;
  readonly #listeners = new Set<() => void>();
  #status: TrustStatus = { kind: "awaiting" };
  #follower: TrustDocFollower | undefined;
  #stopped = false;

  constructor(options: { store: AgentStateStore; repo: Repo; logger: Logger }) {
    this.#store = options.store;
    this.#repo = options.repo;
    this.#logger = options.logger;
  }

  get status(): TrustStatus {
    return this.#status;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The root pinned, if any. */
  get pinnedFleet(): string | undefined {
    return this.#status.kind === "pinned" ? this.#status.verifier.fleet : undefined;
  }

  /**
   * Pins the fleet's root (checked by the caller against the config's fingerprint), with every
   * revocation the state file keeps, and starts following the TrustDoc. `how` says where the root
   * came from, for the log. A second root is refused: the first one pinned stays.
   */
  async pin(trust: FleetTrust, how: string): Promise<void> {
    if (this.#stopped) return;
    if (this.#status.kind === "pinned") {
      if (this.#status.verifier.rootPublicKey !== trust.rootPublicKey) {
        this.#logger.error(
          `${how} names the root key ${trust.fleet}, but this agent pinned ${this.#status.verifier.fleet}: keeping it`,
        );
      }
      return;
    }
    const verifier = await TrustVerifier.create(trust.rootPublicKey);
    await verifier.learnRevocations(Object.values(this.#store.state.revocations ?? {}));
    this.#status = { kind: "pinned", verifier, generation: 0 };
    this.#logger.info(
      { fleet: trust.fleet, trustDocUrl: trust.trustDocUrl },
      `trusting admins' signatures by keys the root ${trust.fleet} certified (${how})`,
    );
    this.#follower = new TrustDocFollower({
      repo: this.#repo,
      url: trust.trustDocUrl,
      verifier,
      logger: this.#logger,
      learnt: (lessons) => this.#learnt(lessons),
    });
    this.#follower.start();
    this.#notify();
  }

  /** There is no root to pin (`reason` says why): the agent refuses what admins ask. Logged once. */
  markAbsent(reason: string): void {
    if (this.#status.kind !== "awaiting") return;
    this.#status = { kind: "absent", reason };
    this.#logger.error(
      `${reason}: this agent has no root key pinned, so it refuses every command and policy change admins sign until it has one (enroll it with a relay that has a root key)`,
    );
    this.#notify();
  }

  /** Stops following the TrustDoc. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#follower?.stop();
  }

  async #learnt(lessons: TrustDocLessons): Promise<void> {
    const status = this.#status;
    if (status.kind !== "pinned") return;
    if (lessons.revoked.length > 0) {
      // On disk before anything acts on it: a revocation, once learnt, is never forgotten.
      this.#store.update((state) => {
        state.revocations ??= {};
        for (const revocation of lessons.revoked) state.revocations[revocation.keyId] = revocation;
      });
      await this.#store.flush();
      for (const revocation of lessons.revoked) this.#logger.warn(describeRevocation(revocation));
    }
    this.#status = { ...status, generation: status.generation + 1 };
    this.#notify();
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function describeRevocation(revocation: AdminKeyRevocation): string {
  const why = revocation.reason ? ` (${revocation.reason})` : "";
  return `admin key ${revocation.keyId} revoked by the fleet's root${why}: what it signed is refused from now on, unless it already ran`;
}
