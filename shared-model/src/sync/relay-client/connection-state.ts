import type { PeerId } from "@automerge/automerge-repo/slim";

/** Why an attempt failed or a connection ended, as a relay client reports it. */
export interface RelayFailure {
  /** `unauthorized`: the relay refused the token (revoked, or never valid); `offline` otherwise. */
  kind: "offline" | "unauthorized";
  /** What went wrong, for a person: "connection refused (is the relay running?)". */
  reason: string;
}

/**
 * Where a client's link to the relay stands (agent and dashboard alike); `reason` says why it is
 * not connected. A state is a snapshot that is read later (a header, a status line), so the next
 * attempt is given as a time, `retryAt` (epoch ms), which stays true, rather than as a wait that
 * would be stale once read.
 */
export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected"; relayPeerId: PeerId }
  /** The relay cannot be reached, refused the upgrade, or dropped the connection. */
  | { kind: "offline"; reason: string; retryAt: number }
  /** The relay refused the token (HTTP 401, or a close with {@link CLOSE_REVOKED}). */
  | { kind: "unauthorized"; reason: string; retryAt: number }
  | { kind: "stopped" };

/** The close code with which the relay ends a connection whose token was revoked. */
export const CLOSE_REVOKED = 4001;
