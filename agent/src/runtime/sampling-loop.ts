import type { Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { Clock } from "./clock.js";

/**
 * The agent's one timer: sleeps on an injectable clock until the next multiple of the sampling
 * interval and runs a tick there. Ticks fall on multiples of the interval, so hour buckets line up
 * across restarts; missed ticks (a suspended laptop, a slow disk) are skipped, never burst.
 */
export class SamplingLoop {
  readonly #clock: Clock;
  readonly #intervalS: () => number;
  readonly #tick: (at: number) => Promise<void>;
  readonly #logger: Logger;
  readonly #stopping = new AbortController();
  /** Aborted to cut the sleep short: stopping, or a new interval. */
  #wake = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: {
    clock: Clock;
    /** The interval in force, read at start and whenever {@link intervalChanged} is called. */
    intervalS: () => number;
    /** One tick's work, for the tick due at `at` (epoch ms); a rejection is logged. */
    tick: (at: number) => Promise<void>;
    logger: Logger;
  }) {
    this.#clock = options.clock;
    this.#intervalS = options.intervalS;
    this.#tick = options.tick;
    this.#logger = options.logger;
  }

  /** Starts ticking; the first tick falls on the next multiple of the interval. */
  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * The interval may have changed: the sleep is cut short and the next tick falls on a multiple
   * of the new interval, after the last tick taken.
   */
  intervalChanged(): void {
    this.#wake.abort();
  }

  /** Stops ticking and waits for the tick under way. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#wake.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let intervalMs = this.#intervalS() * 1000;
    let next = multipleAtOrAfter(this.#clock.now(), intervalMs);
    let lastFailure: string | undefined;
    let lastTickAt = Number.NEGATIVE_INFINITY;
    while (!signal.aborted) {
      try {
        await this.#clock.sleep(next - this.#clock.now(), this.#wake.signal);
      } catch {
        if (signal.aborted) break; // stopping
        this.#wake = new AbortController();
        const changedMs = this.#intervalS() * 1000;
        if (changedMs !== intervalMs) {
          intervalMs = changedMs;
          next = multipleAtOrAfter(this.#clock.now(), intervalMs);
          if (next <= lastTickAt) next += intervalMs;
        }
        continue;
      }
      const at = next;
      lastTickAt = at;
      try {
        await this.#tick(at);
        lastFailure = undefined;
      } catch (error) {
        // The same failure tick after tick (a full disk, a clock behind) is one line, not 8,640.
        const message = messageOf(error);
        if (message !== lastFailure) {
          this.#logger.error({ err: error }, `sampling failed: ${message}`);
          lastFailure = message;
        }
      }
      next += intervalMs;
      const now = this.#clock.now();
      if (next <= now) next = multipleAtOrAfter(now + 1, intervalMs);
    }
  }
}

/** The first multiple of `intervalMs` at or after `at`. */
function multipleAtOrAfter(at: number, intervalMs: number): number {
  return Math.ceil(at / intervalMs) * intervalMs;
}
