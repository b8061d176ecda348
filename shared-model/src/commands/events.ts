import type { CommandId, EventId } from "../ids/ids.js";

/** Fields every command event carries. */
interface EventBase {
  id: EventId;
  /** Epoch ms on the writer's clock: informative only, never used to order or decide. */
  at: number;
  /** Principal that wrote it: `admin:<name>` for intents, `agent:<deviceId>` for facts. */
  by: string;
}

/** Fields of every admin intent. */
interface IntentBase extends EventBase {
  /** `by`'s signature over the intent and the command's ID; the agent refuses a request without. */
  signature?: string;
}

/** An admin asks the agent to cancel the command. */
export interface CancelRequested extends IntentBase {
  type: "cancel-requested";
  reason?: string;
}
/** An admin asks the agent to run the command again (a fresh attempt budget). */
export interface RetryRequested extends IntentBase {
  type: "retry-requested";
}
/** A free-text remark by an admin; it asks nothing and needs no answer. */
export interface Note extends IntentBase {
  type: "note";
  text: string;
}

/** Admin intents: requests the agent answers with a fact. */
export type Intent = CancelRequested | RetryRequested | Note;

/**
 * The gate that kept a command from starting; ARCHITECTURE.md, "Gates and defaults", lists them in
 * checking order.
 */
export const DEFERRAL_REASONS = [
  "not-before",
  "dependencies",
  "maintenance-window",
  "load",
  "critical-operation",
  "lock",
  "concurrency",
] as const;
/** One of {@link DEFERRAL_REASONS}. */
export type DeferralReason = (typeof DEFERRAL_REASONS)[number];

/** What happened to one run, as recorded in `succeeded` / `failed`. */
export interface RunOutcome {
  exitCode: number | null;
  durationMs: number;
  /** Head and tail of stdout / stderr, truncated by the agent. */
  stdout?: string;
  stderr?: string;
  /** Why it failed, when there is more to say than the exit code (timeout, spawn error). */
  error?: string;
  /** Extra figures, e.g. system load before the start and at its peak. */
  metrics?: Record<string, number>;
}

/** Agent facts, keyed by type, with their payloads. `answers` links a fact to the intent it settles. */
export type FactPayloads = {
  accepted: Record<never, never>;
  rejected: { reason: string };
  deferred: { reason: DeferralReason; detail?: string };
  started: { attempt: number };
  succeeded: { outcome: RunOutcome };
  failed: { outcome: RunOutcome };
  "retry-scheduled": { notBefore: number; answers?: EventId };
  interrupted: Record<never, never>;
  cancelled: { answers?: EventId };
  superseded: { winner: CommandId };
  blocked: { reason: string; dependency: CommandId };
  expired: Record<never, never>;
  "cancel-too-late": { answers: EventId };
  "retry-declined": { answers: EventId; reason: string };
  /** A cancel or retry request the agent would not trust (its signature), with why. */
  "intent-rejected": { answers: EventId; reason: string };
};

/** Type of an agent fact. */
export type FactType = keyof FactPayloads;

/** The agent's facts: what really happened on the device. Only the agent writes them. */
export type Fact = {
  [T in FactType]: EventBase & { type: T } & FactPayloads[T];
}[FactType];

/** A fact as the agent hands it to `recordFact`: without the id, time and author. */
export type FactInput = { [T in FactType]: { type: T } & FactPayloads[T] }[FactType];

/** Anything in a command's append-only `events` list. */
export type CommandEvent = Intent | Fact;

/** Intent types, for telling intents from facts at run time. */
export const INTENT_TYPES = ["cancel-requested", "retry-requested", "note"] as const;
const INTENT_TYPE_SET: ReadonlySet<string> = new Set(INTENT_TYPES);

/** True for an admin intent, false for an agent fact. */
export function isIntent(event: CommandEvent): event is Intent {
  return INTENT_TYPE_SET.has(event.type);
}

/**
 * Compile-time guard: a fact payload must not reuse the event's own fields (`by` once meant both
 * "who wrote it" and "which command won", and the author silently overwrote the winner).
 */
type ReservedEventKey = keyof EventBase | "type";
type PayloadCollisions = {
  [T in FactType]: Extract<keyof FactPayloads[T], ReservedEventKey>;
}[FactType];
const payloadsAreDisjoint: [PayloadCollisions] extends [never] ? true : never = true;
void payloadsAreDisjoint;
