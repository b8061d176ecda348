import type { DocHandle } from "@automerge/automerge-repo";
import { type Day, isStoredHeadsMessage, type Logger } from "@outpost/shared-model";
import type { AgentStateStore } from "../state/agent-state.js";

/** Which document an acknowledgement was for. */
export type AcknowledgedDocument = { kind: "device" } | { kind: "day"; day: Day };

/**
 * Records the relay's durable acknowledgements (ARCHITECTURE.md, "Durable acknowledgement") of the
 * agent's documents in its state file. Only acks from the relay the agent enrolled with count: the
 * relay forwards other peers' ephemeral messages too, and an ack from anyone else would let them
 * trigger local deletion.
 */
export class DurableAckTracker {
  readonly #store: AgentStateStore;
  readonly #relayPeerId: () => string | undefined;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #listeners = new Set<(document: AcknowledgedDocument) => void>();
  readonly #watched = new WeakSet<DocHandle<unknown>>();

  constructor(options: {
    store: AgentStateStore;
    relayPeerId: () => string | undefined;
    now: () => number;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#relayPeerId = options.relayPeerId;
    this.#now = options.now;
    this.#logger = options.logger;
  }

  /** Listens for acknowledgements of `handle`'s document (once per handle). */
  watch(handle: DocHandle<unknown>, document: AcknowledgedDocument): void {
    if (this.#watched.has(handle)) return;
    this.#watched.add(handle);
    handle.on("ephemeral-message", ({ senderId, message }) => {
      if (senderId !== this.#relayPeerId() || !isStoredHeadsMessage(message)) return;
      if (message.documentId !== handle.documentId) {
        this.#logger.warn({ message }, "ignored an acknowledgement naming another document");
        return;
      }
      const acknowledgement = {
        heads: [...message.heads],
        storedAt: message.storedAt,
        receivedAt: this.#now(),
      };
      this.#store.update((state) => {
        if (document.kind === "device") state.deviceDocAcknowledged = acknowledgement;
        else
          state.days[document.day] = { ...state.days[document.day], acknowledged: acknowledgement };
      });
      this.#logger.debug({ document, heads: message.heads }, "the relay stored a document");
      for (const listener of this.#listeners) listener(document);
    });
  }

  /** Calls `listener` after each acknowledgement is recorded. */
  onAcknowledged(listener: (document: AcknowledgedDocument) => void): void {
    this.#listeners.add(listener);
  }
}
