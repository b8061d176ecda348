import type { EnrollmentTokenSummary } from "@outpost/shared-model";
import { formatTime } from "../ui/format.js";

/** Where a one-time enrollment token stands; only a `usable` one can still enroll a device. */
export type TokenState = "usable" | "used" | "revoked" | "expired";

/** A token's state at `now`, and the words the token list shows for it. */
export interface TokenStatus {
  state: TokenState;
  text: string;
}

/**
 * Where `token` stands at `now`. Used wins over revoked and expired (it did what it was made for:
 * the device it enrolled is the thing to look at), revoked over expired (an admin acted).
 */
export function tokenStatus(token: EnrollmentTokenSummary, now: number): TokenStatus {
  if (token.usedAt !== undefined) {
    const by = token.usedBy === undefined ? "" : ` by ${token.usedBy}`;
    return { state: "used", text: `used${by} ${formatTime(token.usedAt)}` };
  }
  if (token.revokedAt !== undefined)
    return { state: "revoked", text: `revoked ${formatTime(token.revokedAt)}` };
  if (token.expiresAt <= now)
    return { state: "expired", text: `expired ${formatTime(token.expiresAt)}` };
  return { state: "usable", text: `usable until ${formatTime(token.expiresAt)}` };
}

/** How long a token made by "Add a device" lasts: the choices offered, shortest first. */
export const TOKEN_VALIDITY = [
  { id: "1h", label: "1 hour", seconds: 3_600 },
  { id: "24h", label: "24 hours", seconds: 86_400 },
  { id: "7d", label: "7 days", seconds: 7 * 86_400 },
] as const;

/** One of {@link TOKEN_VALIDITY}'s IDs. */
export type TokenValidityId = (typeof TOKEN_VALIDITY)[number]["id"];

/** Where a relay serves the agent archive that its install commands download. */
export function agentBundleUrl(relayUrl: string): string {
  return `${relayUrl.replace(/\/+$/, "")}/v1/agent/bundle`;
}
