/**
 * Reconnection delays that grow with how long the relay has been out of reach, with full jitter.
 *
 * The ceiling of each wait is a share of the outage so far (at least `baseMs`, at most `capMs`):
 * since a wait is never longer than that share, a client is back at most that share of the outage
 * after the network returns (a quarter: 18 s after 72 s away, 5 min after a day away). Counting
 * attempts instead (1 s doubling to 5 min) let a client that lost the relay for 72 s sleep
 * through the next 128 s after it came back, and one gone for 5 min through the next 9 min.
 * Attempts still thin out geometrically, so a device offline for days knocks every 2.5 min on
 * average, as before.
 */
export interface BackoffPolicy extends BackoffLimits {
  /** A number in [0, 1); `Math.random` unless a test injects one. */
  random: () => number;
}

/** The bounds of a wait: a share of the outage so far, never under `baseMs` or over `capMs`. */
export interface BackoffLimits {
  baseMs: number;
  capMs: number;
  /** The ceiling of a wait as a share of the outage so far, in (0, 1]. */
  outageShare: number;
}

/** The agent's policy: 1 s to 5 min, a quarter of the outage; a device offline for days need not knock often. */
export const RECONNECT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 1_000,
  capMs: 300_000,
  outageShare: 0.25,
  random: Math.random,
});

/**
 * The wait before the next attempt, `outageMs` into an outage: uniformly random between 0 and
 * min(cap, max(base, share × outage)), so a thousand agents that lost the relay together do not
 * return together ("full jitter", AWS Architecture Blog, 2015).
 */
export function backoffDelayMs(
  outageMs: number,
  policy: BackoffPolicy = RECONNECT_BACKOFF,
): number {
  return Math.floor(policy.random() * backoffCeilingMs(outageMs, policy));
}

/**
 * The longest wait `outageMs` into an outage: min(cap, max(base, share × outage)). Used as the
 * wait itself where nothing needs spreading out, as when one client retries its own requests
 * a few at a time (the dashboard's DeviceDoc loads).
 */
export function backoffCeilingMs(outageMs: number, limits: BackoffLimits): number {
  return Math.min(
    limits.capMs,
    Math.max(limits.baseMs, limits.outageShare * Math.max(0, outageMs)),
  );
}
