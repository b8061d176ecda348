/** Reconnection delays: exponential from 1 s, capped at 5 min, with full jitter. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1); `Math.random` unless a test injects one. */
  random: () => number;
}

/** The agent's policy (issue 4: 1 s to 5 min): a device offline for days need not knock often. */
export const RECONNECT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 1_000,
  capMs: 300_000,
  random: Math.random,
});

/**
 * The delay before reconnection attempt `attempt` (0 for the first retry): uniformly random
 * between 0 and min(cap, base × 2^attempt), so a thousand agents that lost the relay together do
 * not return together ("full jitter", AWS Architecture Blog, 2015).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(policy.random() * ceiling);
}
