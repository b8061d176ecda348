/**
 * Test support: what a relay has acknowledged as stored, as one client saw it.
 */
import { next as A } from "@automerge/automerge";
import type { Doc, DocHandle, UrlHeads } from "@automerge/automerge-repo";
import { decodeHeads } from "@automerge/automerge-repo";
import type { StoredHeadsMessage } from "@outpost/shared-model";
import { isStoredHeadsMessage } from "@outpost/shared-model";

/**
 * Records every durable acknowledgement (`outpost/stored-heads`) that the relay with peer ID
 * `relayPeerId` sends on `handle`. Ephemeral messages from anyone else are ignored, as an agent
 * must (other peers' ephemeral messages are forwarded too).
 */
export class DurableAckLog {
  readonly #acks: StoredHeadsMessage[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(handle: DocHandle<unknown>, relayPeerId: string) {
    handle.on("ephemeral-message", ({ message, senderId }) => {
      if (senderId !== relayPeerId || !isStoredHeadsMessage(message)) return;
      this.#acks.push(message);
      for (const wake of this.#waiters) wake();
    });
  }

  /** Every acknowledgement so far, oldest first. */
  get acks(): readonly StoredHeadsMessage[] {
    return this.#acks;
  }

  /**
   * Resolves with the first acknowledgement, from index `from` on (past or future), that
   * satisfies `predicate`; each is tested once. Pass `from: log.acks.length` to look only at acks
   * that arrive from now on, e.g. for a change just made.
   */
  waitFor(
    predicate: (ack: StoredHeadsMessage) => boolean,
    what: string,
    { from = 0, timeoutMs = 10_000 }: { from?: number; timeoutMs?: number } = {},
  ): Promise<StoredHeadsMessage> {
    return new Promise((resolve, reject) => {
      let tested = from;
      const check = () => {
        while (tested < this.#acks.length) {
          const ack = this.#acks[tested++] as StoredHeadsMessage;
          if (!predicate(ack)) continue;
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve(ack);
          return;
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no durable acknowledgement ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

/** True when `doc` contains the state at `heads` (every change they name and so their history). */
export function containsHeads(doc: Doc<unknown>, heads: readonly string[]): boolean {
  return A.hasHeads(doc, decodeHeads([...heads] as UrlHeads));
}

/** True when an acknowledgement's heads cover `heads`: the relay stored at least that state. */
export function acknowledges(ack: StoredHeadsMessage, doc: Doc<unknown>, heads: UrlHeads): boolean {
  // The ack's heads may be newer than `heads`. `hasHeads` on a view still sees the whole history,
  // so clone the view: the clone holds exactly the acknowledged state.
  if (!containsHeads(doc, ack.heads)) return false;
  const acknowledged = A.clone(A.view(doc, decodeHeads(ack.heads as UrlHeads)));
  return containsHeads(acknowledged, heads);
}
