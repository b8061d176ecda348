import type { CommandId } from "../ids/ids.js";

/** Argument values a command spec may carry; kept flat so every replica can validate them. */
export type CommandArgValue = string | number | boolean | string[];

/** Exponential backoff with full jitter: delay = random(0, min(maxDelayS, baseDelayS × factor^(n-1))). */
export interface RetryPolicy {
  /** Attempts before the agent gives up by itself (an admin's retry grants a fresh budget). */
  maxAttempts: number;
  baseDelayS: number;
  factor: number;
  maxDelayS: number;
}

/**
 * The default retry policy (ARCHITECTURE.md, "Gates and defaults"): base 30 s, factor 2, cap 1 h, 5
 * attempts.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayS: 30,
  factor: 2,
  maxDelayS: 3600,
});

/** When a command may run: any time, or only inside the device's maintenance window. */
export const COMMAND_WINDOWS = ["any", "maintenance"] as const;
/** One of {@link COMMAND_WINDOWS}. */
export type CommandWindow = (typeof COMMAND_WINDOWS)[number];

/**
 * What an admin asked for. Written once at enqueue and never edited, so it needs no merge rule.
 * Optional fields are absent rather than `undefined` (Automerge cannot store `undefined`).
 */
export interface CommandSpec {
  id: CommandId;
  /** Command kind, e.g. `script.run`; the agent rejects kinds it does not know. */
  kind: string;
  args: Record<string, CommandArgValue>;
  /** Principal that enqueued it, e.g. `admin:alice`. */
  createdBy: string;
  /** Epoch milliseconds on the admin's clock; with `id` it orders dedupe winners. */
  createdAt: number;
  /** Commands sharing a dedupe key are one operation: only one of them runs. */
  dedupeKey?: string;
  /** Commands that must succeed before this one may start. */
  dependsOn: CommandId[];
  /** Named lock: two commands holding the same lock never run at once. */
  lock?: string;
  window: CommandWindow;
  /** Epoch ms before which the command must not start. */
  notBefore?: number;
  /** Epoch ms after which a command that has not started expires. */
  expiresAt?: number;
  retry: RetryPolicy;
  /**
   * The admin's signature over every other field (docs/ARCHITECTURE.md, "Trust"): the agent runs
   * nothing without one it can trace to the fleet's root key.
   */
  signature?: string;
}

/** Priority bounds: higher runs first; the default sits in the middle. */
export const PRIORITY = Object.freeze({ min: 0, max: 9, default: 5 });

/**
 * The command's priority, a last-writer-wins register: admins replace the whole object, so a
 * concurrent edit leaves Automerge conflicts that still say who asked for which value.
 */
export interface PriorityRegister {
  value: number;
  setBy: string;
  setAt: number;
  /** `setBy`'s signature over the register and the command's ID; the agent ignores it without. */
  signature?: string;
}
