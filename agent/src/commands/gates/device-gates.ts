import type { CommandId, CommandState, FactInput, RunnableCommand } from "@outpost/shared-model";
import type { CommandKind } from "../kinds/command-kind.js";
import type { GateResult } from "./gate-result.js";

/**
 * The device gates, in the order of ARCHITECTURE.md, "Gates and defaults" after the queue's own
 * (validation, time, dependencies).
 */
export interface DeviceGates {
  maintenanceWindow(candidate: RunnableCommand, kind: CommandKind): GateResult;
  load(): GateResult;
  criticalOperations(): GateResult;
  lock(candidate: RunnableCommand, running: ReadonlyMap<CommandId, unknown>): GateResult;
  /** Whether another command may start now (one at a time by default). */
  concurrency(running: ReadonlyMap<CommandId, unknown>): GateResult;
}

/**
 * The first closed gate for `candidate`, in order, or open. Later gates are not consulted. (No
 * closures per call: the agent asks this for every waiting command on every evaluation, and the
 * bundle's kept function names make each closure cost a property definition.)
 */
export function firstClosedGate(
  gates: DeviceGates,
  candidate: RunnableCommand,
  kind: CommandKind,
  running: ReadonlyMap<CommandId, unknown>,
): GateResult {
  let result = gates.maintenanceWindow(candidate, kind);
  if (result.open) result = gates.load();
  if (result.open) result = gates.criticalOperations();
  if (result.open) result = gates.lock(candidate, running);
  if (result.open) result = gates.concurrency(running);
  return result;
}

/**
 * The `deferred` fact to record for a closed gate, or `undefined` when the command already
 * stands deferred for the same reason (only when the reason changes, so a command
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
