import type { RetryPolicy } from "./spec.js";
import type { CommandState } from "./state.js";

/**
 * Delay before the next automatic attempt, "full jitter" backoff: a uniform draw from zero up to
 * the capped exponential, so a fleet that failed together does not retry together.
 *
 * @param attempt the attempt that just failed, from 1
 * @param random a uniform draw in [0, 1), injected so tests and replays are deterministic
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const exponential = policy.baseDelayS * policy.factor ** Math.max(0, attempt - 1);
  const ceilingMs = Math.min(policy.maxDelayS, exponential) * 1000;
  return Math.floor(random() * ceilingMs);
}

/**
 * When the agent should try again after a failed or interrupted run, or `undefined` when the
 * command's automatic budget is spent (an admin may still ask for a retry).
 */
export function nextAutomaticAttemptAt(
  state: CommandState,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): number | undefined {
  if (state.automaticAttemptsLeft <= 0) return undefined;
  return now + retryDelayMs(policy, state.attemptsSinceManualRetry, random);
}
