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
  /** May need the process list, which the agent reads only when a candidate gets this far. */
  criticalOperations(): GateResult | Promise<GateResult>;
  lock(candidate: RunnableCommand, running: ReadonlyMap<CommandId, unknown>): GateResult;
  /** Whether another command may start now (one at a time by default). */
  concurrency(running: ReadonlyMap<CommandId, unknown>): GateResult;
}

/**
 * The first closed gate for `candidate`, in order, or open. Later gates are not consulted, so a
 * queue held back by its window never makes the agent read the process list. A promise only when
 * the critical-operations gate gives one. (No closures per call: the agent asks this for every
 * waiting command on every evaluation, and the bundle's kept function names make each closure
 * cost a property definition.)
 */
export function firstClosedGate(
  gates: DeviceGates,
  candidate: RunnableCommand,
  kind: CommandKind,
  running: ReadonlyMap<CommandId, unknown>,
): GateResult | Promise<GateResult> {
  let result = gates.maintenanceWindow(candidate, kind);
  if (result.open) result = gates.load();
  if (!result.open) return result;
  const critical = gates.criticalOperations();
  return critical instanceof Promise
    ? critical.then((checked) => lastGates(checked, gates, candidate, running))
    : lastGates(critical, gates, candidate, running);
}

/** The gates after critical operations, once that one is open. */
function lastGates(
  critical: GateResult,
  gates: DeviceGates,
  candidate: RunnableCommand,
  running: ReadonlyMap<CommandId, unknown>,
): GateResult {
  let result = critical;
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
