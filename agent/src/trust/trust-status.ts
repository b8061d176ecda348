import type { TrustVerifier } from "@outpost/shared-model";

/**
 * Where the agent's trust in admins' signatures stands (docs/ARCHITECTURE.md, "Trust"):
 * - `pinned`: it has the fleet's root key; `generation` grows with every revocation or
 *   certificate learnt since, so a verdict or plan made before can be told from one made after;
 * - `awaiting`: it is still learning its root (enrolling, or asking the relay once for the root of
 *   a device enrolled before there was one): it acts on nothing an admin signed meanwhile, and
 *   refuses nothing either, since the answer may come in a moment;
 * - `absent`: there is no root to pin (a relay older than signed commands): it refuses
 *   everything an admin asks.
 */
export type TrustStatus =
  | { kind: "pinned"; verifier: TrustVerifier; generation: number }
  | { kind: "awaiting" }
  | { kind: "absent"; reason: string };

/** The agent's trust as its command engine and policy read it. */
export interface TrustSource {
  readonly status: TrustStatus;
  /** Calls `listener` after every change of {@link status}; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Why an agent without a root key refuses everything an admin signed. */
export const NO_ROOT_PINNED_DETAIL = "this agent has no root key pinned";
/** The reason an agent without a root key records for everything it refuses. */
export const NO_ROOT_PINNED = `signer-unknown: ${NO_ROOT_PINNED_DETAIL}`;
