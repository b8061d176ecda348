import type { DocHandle } from "@automerge/automerge-repo";
import {
  type Command,
  type CommandState,
  type DeviceDoc,
  planQueue,
  type QueuePlan,
  type QueueTrust,
} from "@outpost/shared-model";
import type { QueueGuard } from "./queue-verdicts.js";

/** A snapshot of the DeviceDoc and the verdicts on what admins signed in it. */
export interface VerifiedQueue {
  doc: DeviceDoc;
  trust: QueueTrust;
}

/**
 * Plans the queue (shared-model's `planQueue`) on snapshots whose signatures were verified first:
 * verifying is asynchronous and planning is not, so each plan is made on exactly the snapshot
 * verified (what changed meanwhile is planned next time). The last plan is reused while the
 * document, the verdicts on it and its time-dependent parts (`stableUntil`) hold.
 */
export class VerifiedPlanner {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #guard: QueueGuard;
  readonly #stateOf: (command: Command) => CommandState;
  readonly #now: () => number;
  #last: (VerifiedQueue & { at: number; plan: QueuePlan }) | undefined;

  constructor(options: {
    device: DocHandle<DeviceDoc>;
    guard: QueueGuard;
    /** The engine's fold cache. */
    stateOf: (command: Command) => CommandState;
    now: () => number;
  }) {
    this.#device = options.device;
    this.#guard = options.guard;
    this.#stateOf = options.stateOf;
    this.#now = options.now;
  }

  /** The document now and the verdicts on it; `undefined` while the agent has no root yet. */
  async verified(): Promise<VerifiedQueue | undefined> {
    const doc = this.#device.doc();
    const trust = await this.#guard.check(doc, this.#stateOf);
    return trust === undefined ? undefined : { doc, trust };
  }

  /** The queue's plan now, on a verified snapshot; `undefined` while the agent has no root yet. */
  async plan(): Promise<QueuePlan | undefined> {
    const verified = await this.verified();
    if (verified === undefined) return undefined;
    const { doc, trust } = verified;
    const now = this.#now();
    const last = this.#last;
    if (
      last?.doc === doc &&
      last.trust === trust &&
      now >= last.at &&
      now < last.plan.stableUntil
    ) {
      return last.plan;
    }
    const plan = planQueue(doc, now, { stateOf: this.#stateOf, trust });
    this.#last = { doc, trust, at: now, plan };
    return plan;
  }
}
