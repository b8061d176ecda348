import type { Clock } from "./clock.js";

interface Sleeper {
  until: number;
  wake: () => void;
}

/**
 * A clock whose time moves only when someone sleeps: `sleep(ms)` jumps ahead by `ms` at once, so
 * an agent samples three days as fast as it can write them. A test bounds it with `holdAt(t)`:
 * sleeps that would pass `t` wait there until the test moves the bound with `release`.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #bound = Number.POSITIVE_INFINITY;
  readonly #sleepers: Sleeper[] = [];
  readonly #heldListeners = new Set<() => void>();

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const index = this.#sleepers.indexOf(sleeper);
        if (index >= 0) this.#sleepers.splice(index, 1);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        until: this.#now + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
      // Let other work (I/O callbacks) run between simulated ticks, as real time would.
      setImmediate(() => this.#advance());
    });
  }

  /** Lets time run no further than `bound` (epoch ms); sleepers past it wait. */
  holdAt(bound: number): void {
    this.#bound = bound;
  }

  /** Moves the bound to `bound` (default: none) and wakes the sleepers now within it. */
  release(bound = Number.POSITIVE_INFINITY): void {
    this.#bound = bound;
    setImmediate(() => this.#advance());
  }

  /** Resolves once a sleeper is waiting at the bound: everything before it has been done. */
  whenHeld(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.#isHeld()) return;
        this.#heldListeners.delete(check);
        resolve();
      };
      this.#heldListeners.add(check);
      check();
    });
  }

  #isHeld(): boolean {
    return this.#sleepers.some((sleeper) => sleeper.until > this.#bound);
  }

  #advance(): void {
    this.#sleepers.sort((a, b) => a.until - b.until);
    const next = this.#sleepers[0];
    if (next !== undefined && next.until <= this.#bound) {
      this.#sleepers.shift();
      this.#now = Math.max(this.#now, next.until);
      next.wake();
      return;
    }
    if (next !== undefined && this.#now < this.#bound && Number.isFinite(this.#bound)) {
      this.#now = this.#bound;
    }
    for (const listener of [...this.#heldListeners]) listener();
  }
}
