/**
 * Who writes to a document. In its own folder because both the documents (assets, policies) and
 * the command queue record their writer, and `commands/` must not import `documents/`.
 */
import type { Principal } from "../sync/peer-ids.js";

/** Who writes, and when by their clock. */
export interface Actor {
  /** Principal as {@link actorOf} spells it: `admin:<name>` or `agent:<deviceId>`. */
  by: string;
  /** Epoch milliseconds. */
  at: number;
}

/**
 * How documents name a writer: `admin:<name>`, or `agent:<deviceId>` for a device's agent. Not
 * {@link describePrincipal}'s `device:` form: "agent" is what stored documents already say.
 */
export function actorOf(principal: Principal): string {
  return principal.kind === "admin" ? `admin:${principal.name}` : `agent:${principal.deviceId}`;
}
