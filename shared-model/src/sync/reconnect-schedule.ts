import { type BackoffPolicy, backoffDelayMs, RECONNECT_BACKOFF } from "./backoff.js";

/**
 * A connection that held this long was healthy: losing it starts a new outage, with short waits.
 * One that drops sooner (a relay that accepts and then closes every connection, a flapping link)
 * continues the outage it ended, so its waits keep growing instead of hammering the relay.
 */
export const STABLE_CONNECTION_MS = 30_000;

/**
 * When to try the relay again: measures the outage (from the moment the relay was last reachable
 * on a connection that held) and asks {@link backoffDelayMs} for a wait proportionate to it.
 * Time is monotonic (`performance.now()`), so a clock step does not stretch or shrink an outage.
 */
export class ReconnectSchedule {
  readonly #policy: BackoffPolicy;
  readonly #now: () => number;
  #outageSince: number | undefined;
  #connectedAt: number | undefined;

  constructor(
    policy: BackoffPolicy = RECONNECT_BACKOFF,
    now: () => number = () => performance.now(),
  ) {
    this.#policy = policy;
    this.#now = now;
  }

  /** The relay answered: a connection is up. */
  connected(): void {
    this.#connectedAt = this.#now();
  }

  /** How long the relay has been out of reach, or 0 while connected. */
  outageMs(): number {
    if (this.#connectedAt !== undefined || this.#outageSince === undefined) return 0;
    return this.#now() - this.#outageSince;
  }

  /** An attempt failed or the connection was lost: the wait before the next attempt. */
  nextDelayMs(): number {
    const now = this.#now();
    if (this.#connectedAt !== undefined) {
      const held = now - this.#connectedAt >= STABLE_CONNECTION_MS;
      if (held || this.#outageSince === undefined) this.#outageSince = now;
      this.#connectedAt = undefined;
    }
    this.#outageSince ??= now;
    return backoffDelayMs(now - this.#outageSince, this.#policy);
  }
}
