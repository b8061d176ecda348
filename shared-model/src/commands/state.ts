import type { CommandId } from "../ids/ids.js";
import type { DeferralReason, Fact, Intent, RunOutcome } from "./events.js";

/** A command's phase: a discriminated union on `status`, derived by `fold`, never stored. */
export type CommandPhase =
  /** Enqueued; the agent has not looked at it yet. */
  | { status: "pending" }
  /** The agent validated it and is waiting to run it. */
  | { status: "queued" }
  | { status: "deferred"; reason: DeferralReason; detail?: string }
  | { status: "running"; attempt: number; startedAt: number }
  | { status: "retry-wait"; notBefore: number }
  | { status: "succeeded"; at: number; outcome: RunOutcome }
  | { status: "failed"; at: number; outcome: RunOutcome }
  /** The agent died while it ran; ends here unless a retry is scheduled. */
  | { status: "interrupted"; at: number }
  | { status: "cancelled"; at: number }
  | { status: "rejected"; reason: string }
  | { status: "superseded"; winner: CommandId }
  | { status: "blocked"; reason: string; dependency: CommandId }
  | { status: "expired"; at: number };

/** Every status a command can be in. */
export type CommandStatus = CommandPhase["status"];

/** An admin intent and, once the agent has settled it, the fact that did. */
export interface IntentStatus {
  intent: Intent;
  answer?: Fact;
}

/** The derived state of one command: its phase plus what `fold` learned on the way. */
export type CommandState = CommandPhase & {
  /** Runs started, ever. */
  attempts: number;
  /** Runs started since the last admin-requested retry: the agent's retry budget counts these. */
  attemptsSinceManualRetry: number;
  /** Attempts the agent may still start on its own schedule (`retry.maxAttempts` minus the above). */
  automaticAttemptsLeft: number;
  /** Requests that ask something (cancel, retry), each with its answering fact if any. */
  requests: readonly IntentStatus[];
  notes: readonly Intent[];
  /** Facts that made no sense in the state they met (kept for the audit, otherwise ignored). */
  anomalies: readonly { fact: Fact; status: CommandStatus }[];
};

/** Statuses after which nothing happens unless an admin asks for a retry. */
export const TERMINAL_STATUSES: ReadonlySet<CommandStatus> = new Set([
  "succeeded",
  "failed",
  "interrupted",
  "cancelled",
  "rejected",
  "superseded",
  "blocked",
  "expired",
]);

/** Statuses of a command that has not started its current attempt and may still start. */
export const WAITING_STATUSES: ReadonlySet<CommandStatus> = new Set([
  "pending",
  "queued",
  "deferred",
  "retry-wait",
]);

/** True when the command has reached an end. */
export function isTerminal(state: { status: CommandStatus }): boolean {
  return TERMINAL_STATUSES.has(state.status);
}

/** True when the command is waiting to start (its next attempt, or its first). */
export function isWaiting(state: { status: CommandStatus }): boolean {
  return WAITING_STATUSES.has(state.status);
}
