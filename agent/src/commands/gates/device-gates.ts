import type { CommandId, CommandState, FactInput, RunnableCommand } from "@outpost/shared-model";
import { type GateResult, OPEN } from "./gate-result.js";

/** The device gates, in DESIGN §4 order after the queue's own (validation, time, dependencies). */
export interface DeviceGates {
  maintenanceWindow(candidate: RunnableCommand): GateResult;
  load(): GateResult;
  criticalOperations(): GateResult;
  lock(candidate: RunnableCommand): GateResult;
  /** Whether another command may start now (one at a time by default). */
  concurrency(): GateResult;
}

/** The first closed gate for `candidate`, in order, or open. Later gates are not consulted. */
export function firstClosedGate(gates: DeviceGates, candidate: RunnableCommand): GateResult {
  for (const check of [
    () => gates.maintenanceWindow(candidate),
    () => gates.load(),
    () => gates.criticalOperations(),
    () => gates.lock(candidate),
    () => gates.concurrency(),
  ]) {
    const result = check();
    if (!result.open) return result;
  }
  return OPEN;
}

/**
 * The `deferred` fact to record for a closed gate, or `undefined` when the command already
 * stands deferred for the same reason (DESIGN §3: only when the reason changes, so a command
 * waiting all day for its window adds one event, not 8,640).
 */
export function deferralFact(
  id: CommandId,
  state: CommandState,
  result: Extract<GateResult, { open: false }>,
): { commandId: CommandId; fact: FactInput } | undefined {
  if (state.status === "deferred" && state.reason === result.reason) return undefined;
  return {
    commandId: id,
    fact: { type: "deferred", reason: result.reason, detail: result.detail },
  };
}
