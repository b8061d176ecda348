import { stats } from "@automerge/automerge";
import type { DocumentId, Repo } from "@automerge/automerge-repo";

/** A message handed to automerge-repo and not yet applied. */
interface InFlight {
  peerId: string;
  ops: number;
  at: number;
}

/**
 * What a document will hold once the messages under way are applied, in Automerge ops (what its
 * memory grows with: about 100 to 250 bytes of WebAssembly heap each). Reading a loaded
 * document's op count is O(1) (`Automerge.stats`); the ops of messages handed on but not yet
 * applied (waiting for the access check, the load budget or the document's load) are added, so
 * a burst of messages cannot each be measured against the same old size.
 *
 * The estimate is an upper bound for what it knows: a message's ops are counted in full even
 * when the document already has some of them (a document chunk sent to a relay that has part of
 * it), so the limit must leave room for the largest legitimate document twice. A document not
 * loaded counts as its last known size, or 0 before the relay has seen it loaded since it started:
 * a burst then can take it at most one limit past the bound.
 */
export class DocumentSizes {
  readonly #currentOps: (documentId: string) => number | undefined;
  readonly #lastKnown = new Map<string, number>();
  readonly #inFlight = new Map<string, InFlight[]>();
  readonly #staleAfterMs: number;
  readonly #now: () => number;
  /** Last known sizes kept at most: a fleet writes new day documents every day. */
  readonly #maxRemembered = 50_000;

  /**
   * @param currentOps the op count of a document that is loaded and ready, else `undefined`.
   * @param staleAfterMs a message not applied this long is taken as dropped (access denied,
   *   document unavailable); automerge-repo itself gives up on a document after 60 s.
   */
  constructor(options: {
    currentOps: (documentId: string) => number | undefined;
    staleAfterMs?: number;
    now?: () => number;
  }) {
    this.#currentOps = options.currentOps;
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#now = options.now ?? Date.now;
  }

  /** The document's ops once everything handed on is applied. */
  estimate(documentId: string): number {
    const current = this.#currentOps(documentId);
    if (current !== undefined) this.#remember(documentId, current);
    const base = current ?? this.#lastKnown.get(documentId) ?? 0;
    return base + this.#pending(documentId);
  }

  /** `peerId`'s sync message with `ops` ops for `documentId` was handed to automerge-repo. */
  handedOn(documentId: string, peerId: string, ops: number): void {
    // Empty messages too: each applied message takes the oldest entry of its peer.
    const list = this.#inFlight.get(documentId) ?? [];
    list.push({ peerId, ops, at: this.#now() });
    this.#inFlight.set(documentId, list);
  }

  /**
   * automerge-repo applied a sync message from `peerId` (its `receive-sync-message` metrics
   * event, which carries the op count before it was applied).
   */
  applied(documentId: string, peerId: string, opsBefore: number | undefined): void {
    if (opsBefore !== undefined) this.#remember(documentId, opsBefore);
    const list = this.#inFlight.get(documentId);
    if (list === undefined) return;
    const index = list.findIndex((entry) => entry.peerId === peerId);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#inFlight.delete(documentId);
  }

  /** A peer left: what it had under way is applied by now or never will be. */
  peerLeft(peerId: string): void {
    for (const [documentId, list] of this.#inFlight) {
      const kept = list.filter((entry) => entry.peerId !== peerId);
      if (kept.length === 0) this.#inFlight.delete(documentId);
      else this.#inFlight.set(documentId, kept);
    }
  }

  /** A document was unloaded; its last known size stays. */
  unloaded(documentId: string): void {
    this.#inFlight.delete(documentId);
  }

  #remember(documentId: string, ops: number): void {
    // Re-inserted so the Map's order is least recently seen first.
    this.#lastKnown.delete(documentId);
    this.#lastKnown.set(documentId, ops);
    if (this.#lastKnown.size > this.#maxRemembered) {
      const oldest = this.#lastKnown.keys().next().value;
      if (oldest !== undefined) this.#lastKnown.delete(oldest);
    }
  }

  #pending(documentId: string): number {
    const list = this.#inFlight.get(documentId);
    if (list === undefined) return 0;
    const oldest = this.#now() - this.#staleAfterMs;
    while (list.length > 0 && (list[0] as InFlight).at < oldest) list.shift();
    if (list.length === 0) this.#inFlight.delete(documentId);
    return list.reduce((sum, entry) => sum + entry.ops, 0);
  }
}

/**
 * The op count of a document `repo` has loaded and ready (`Automerge.stats`, O(1)), else
 * undefined. An Automerge document value never changes (a change makes a new one), so the count
 * is read once per value: the load budget asks about every loaded document on every round, and
 * the call into WebAssembly was a tenth of the relay's CPU in a steady state.
 */
export function readyDocumentOps(repo: Repo): (documentId: string) => number | undefined {
  const counted = new WeakMap<object, number>();
  return (documentId) => {
    const handle = repo.handles[documentId as DocumentId];
    if (handle === undefined || !handle.isReady()) return undefined;
    const doc = handle.doc() as object;
    let ops = counted.get(doc);
    if (ops === undefined) {
      ops = stats(doc).numOps;
      counted.set(doc, ops);
    }
    return ops;
  };
}
