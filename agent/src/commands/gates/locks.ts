import type { CommandId } from "@outpost/shared-model";
import { type GateResult, OPEN } from "./gate-result.js";

/**
 * The named-lock gate: two commands holding the same lock never run at once. `held` maps each
 * lock to the command running with it.
 */
export function lockGate(
  lock: string | undefined,
  held: ReadonlyMap<string, CommandId>,
): GateResult {
  if (lock === undefined) return OPEN;
  const holder = held.get(lock);
  if (holder === undefined) return OPEN;
  return { open: false, reason: "lock", detail: `waits for lock "${lock}", held by ${holder}` };
}
