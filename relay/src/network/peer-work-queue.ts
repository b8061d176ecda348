import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import { isAutomergeFailure } from "../sync/automerge-work.js";

/** How much of the relay's one thread a peer may take for its sync work (see RelayLimits). */
export interface PeerWorkBudget {
  /** Work a peer earns per second of wall time, in milliseconds. */
  peerSyncMsPerSecond: number;
  /** Work a peer may spend at once, and the most it saves up. */
  peerSyncBurstMs: number;
}

/** Stops and restarts reading a peer's socket. */
export interface PeerReading {
  pause(peerId: string): void;
  resume(peerId: string): void;
}

interface PeerState {
  balanceMs: number;
  updatedAt: number;
  queue: (() => void)[];
  paused: boolean;
  resumeTimer?: NodeJS.Timeout;
}

/**
 * Hands each peer's messages to automerge-repo one at a time per turn of the event loop, round
 * robin, and keeps a time budget per peer (a token bucket in milliseconds of work). The relay
 * applies Automerge changes on its one thread: without this, a burst of small frames that are
 * costly to apply (deflated changes) is all applied in one go, and `/healthz`, other devices'
 * syncs and acks wait for it. With it, other sockets and HTTP requests get their turn between
 * any two messages, and a peer that has spent its budget is paused (its socket is not read, its
 * queued messages wait) until it has earned it back. Messages are deferred, never dropped.
 *
 * Work is charged after the fact: the time spent handing a message on, and what automerge-repo
 * reports for applying it and answering (see `charge`).
 */
export class PeerWorkQueue {
  readonly #peers = new Map<string, PeerState>();
  /** Peers with queued messages, in the order they will next be served. */
  readonly #waiting = new Set<string>();
  readonly #budget: PeerWorkBudget;
  readonly #reading: PeerReading;
  readonly #metrics: RelayMetrics;
  readonly #logger: Logger;
  readonly #now: () => number;
  #drainScheduled = false;
  #stopped = false;

  constructor(options: {
    budget: PeerWorkBudget;
    reading: PeerReading;
    metrics: RelayMetrics;
    logger: Logger;
    now?: () => number;
  }) {
    this.#budget = options.budget;
    this.#reading = options.reading;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Queues `deliver` (hand one message on) behind `peerId`'s earlier messages. */
  enqueue(peerId: string, deliver: () => void): void {
    if (this.#stopped) return;
    const peer = this.#peer(peerId);
    peer.queue.push(deliver);
    this.#waiting.add(peerId);
    this.#metrics.syncMessagesQueued.inc();
    if (peer.paused) this.#metrics.syncMessagesDeferred.inc();
    this.#scheduleDrain();
  }

  /** Charges `ms` of work done for `peerId`; pauses it once its budget is spent. */
  charge(peerId: string, ms: number): void {
    const peer = this.#peers.get(peerId);
    if (peer === undefined || this.#stopped || !(ms > 0)) return;
    this.#refill(peer);
    peer.balanceMs -= ms;
    if (peer.balanceMs < 0 && !peer.paused) this.#pause(peerId, peer);
  }

  /** Drops a peer that left, with the messages it still had queued. */
  forget(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (peer === undefined) return;
    this.#metrics.syncMessagesQueued.dec(peer.queue.length);
    if (peer.paused) this.#metrics.peersPaused.dec();
    clearTimeout(peer.resumeTimer);
    this.#peers.delete(peerId);
    this.#waiting.delete(peerId);
  }

  /** Stops handing anything on (relay shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const peerId of [...this.#peers.keys()]) this.forget(peerId);
  }

  #peer(peerId: string): PeerState {
    let peer = this.#peers.get(peerId);
    if (peer === undefined) {
      peer = {
        balanceMs: this.#budget.peerSyncBurstMs,
        updatedAt: this.#now(),
        queue: [],
        paused: false,
      };
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  #refill(peer: PeerState): void {
    const now = this.#now();
    const earned = ((now - peer.updatedAt) / 1000) * this.#budget.peerSyncMsPerSecond;
    peer.balanceMs = Math.min(this.#budget.peerSyncBurstMs, peer.balanceMs + earned);
    peer.updatedAt = now;
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#stopped) return;
    this.#drainScheduled = true;
    // setImmediate, not a microtask: I/O (other sockets, HTTP) is polled before the next turn.
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drain();
    });
  }

  /** One turn: the next message of every peer that is not paused. */
  #drain(): void {
    let more = false;
    for (const peerId of [...this.#waiting]) {
      const peer = this.#peers.get(peerId);
      if (peer === undefined || peer.paused) continue;
      const deliver = peer.queue.shift();
      // Served once this turn; a peer with more goes to the back of the line.
      this.#waiting.delete(peerId);
      if (peer.queue.length > 0) this.#waiting.add(peerId);
      if (deliver === undefined) continue;
      this.#metrics.syncMessagesQueued.dec();
      const startedAt = this.#now();
      try {
        deliver();
      } catch (error) {
        // Automerge failing (a trap, out of memory) is the process failing: it must go on to
        // end it (see AutomergeWork), as it did when messages were handed on as they arrived.
        if (isAutomergeFailure(error)) throw error;
        // Anything else was this one message: the others are still handed on.
        this.#logger.error({ err: error, peerId }, `handing on a message from ${peerId} failed`);
      }
      this.charge(peerId, this.#now() - startedAt);
      if (peer.queue.length > 0 && !peer.paused) more = true;
    }
    if (more) this.#scheduleDrain();
  }

  #pause(peerId: string, peer: PeerState): void {
    peer.paused = true;
    this.#reading.pause(peerId);
    this.#metrics.peerPauses.inc();
    this.#metrics.peersPaused.inc();
    const waitMs = this.#waitMs(peer);
    this.#logger.info(
      { peerId, queued: peer.queue.length, waitMs },
      `pausing ${peerId} for ${waitMs} ms: it spent its sync time budget (peer_sync_burst_ms ${this.#budget.peerSyncBurstMs}, peer_sync_ms_per_second ${this.#budget.peerSyncMsPerSecond})`,
    );
    this.#armResume(peerId, peer, waitMs);
  }

  #armResume(peerId: string, peer: PeerState, waitMs: number): void {
    peer.resumeTimer = setTimeout(() => {
      if (this.#peers.get(peerId) !== peer) return;
      this.#refill(peer);
      if (peer.balanceMs < 0) {
        this.#armResume(peerId, peer, this.#waitMs(peer));
        return;
      }
      peer.paused = false;
      this.#metrics.peersPaused.dec();
      this.#reading.resume(peerId);
      if (peer.queue.length > 0) this.#scheduleDrain();
    }, waitMs);
    peer.resumeTimer.unref();
  }

  /** Until the balance is back to zero. */
  #waitMs(peer: PeerState): number {
    return Math.max(1, Math.ceil((-peer.balanceMs / this.#budget.peerSyncMsPerSecond) * 1000));
  }
}
