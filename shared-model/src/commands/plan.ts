import type { DeviceDoc } from "../documents/device-doc.js";
import type { CommandId } from "../ids/ids.js";
import { compareCodeUnits } from "../util/compare-code-units.js";
import type { Command } from "./command.js";
import { dedupeWinners } from "./dedupe.js";
import { findDependencyCycles } from "./dependency-cycles.js";
import type { Fact, FactInput } from "./events.js";
import { fold } from "./fold.js";
import type { CommandState } from "./state.js";
import { isTerminal, isWaiting } from "./state.js";

/** A fact the agent should record now, decided from the queue alone (no device gates). */
export interface QueueDecision {
  commandId: CommandId;
  fact: FactInput;
}

/** A command the agent may consider starting, in the order it should consider them. */
export interface RunnableCommand {
  id: CommandId;
  command: Command;
  state: CommandState;
}

/** What the queue says right now: facts to record, and who may run, best first. */
export interface QueuePlan {
  decisions: QueueDecision[];
  runnable: RunnableCommand[];
  /** Waiting commands held back by the queue itself, with the gate that holds them. */
  waiting: { id: CommandId; reason: "not-before" | "dependencies"; detail: string }[];
}

/** Statuses in which an admin's retry request schedules a new attempt now. */
const RETRYABLE_ON_REQUEST = new Set(["failed", "interrupted", "blocked", "retry-wait"]);

/** Statuses that end a dependency without success: its dependents can never run. */
const DEAD_ENDS = new Set(["failed", "interrupted", "cancelled", "rejected", "blocked", "expired"]);

/**
 * Plans the queue at `now`: the pure part of the agent's scheduling (DESIGN §3), before device gates
 * (window, load, critical operations, locks). It answers open intents, rejects dependency cycles,
 * supersedes dedupe losers, expires, blocks dependents of dead ends, and orders the rest by
 * priority (highest first), then age (`createdAt`, then `id`, so every replica agrees).
 */
export function planQueue(doc: Pick<DeviceDoc, "commands">, now: number): QueuePlan {
  // Key order of an Automerge map differs between replicas; decisions must not.
  const ids = (Object.keys(doc.commands) as CommandId[]).sort(compareCodeUnits);
  const commands = new Map(ids.map((id) => [id, doc.commands[id] as Command] as const));
  const specs = new Map(ids.map((id) => [id, (commands.get(id) as Command).spec] as const));
  const states = new Map(ids.map((id) => [id, foldCommand(commands.get(id) as Command)] as const));
  const decisions: QueueDecision[] = [];
  // Each decision is folded in at once, so later steps see the state the agent will record.
  const plannedFacts = new Map<CommandId, Fact[]>();
  const decide = (commandId: CommandId, fact: FactInput) => {
    decisions.push({ commandId, fact });
    const command = commands.get(commandId) as Command;
    const planned = { ...fact, id: `planned-${decisions.length}`, at: now, by: "planner" } as Fact;
    const facts = [...(plannedFacts.get(commandId) ?? []), planned];
    plannedFacts.set(commandId, facts);
    states.set(commandId, fold(command.spec, [...command.events, ...facts]));
  };
  const stateOf = (id: CommandId) => states.get(id) as CommandState;
  const stillWaiting = () => ids.filter((id) => isWaiting(stateOf(id)));

  for (const id of ids) answerIntents(id, stateOf, now, decide);

  for (const [id, cycle] of findDependencyCycles(stillWaiting(), specs)) {
    decide(id, { type: "rejected", reason: `dependency cycle: ${cycle.join(" → ")}` });
  }

  const winners = dedupeWinners(ids, specs, states);
  for (const id of stillWaiting()) {
    const key = specs.get(id)?.dedupeKey;
    const winner = key === undefined ? undefined : winners.get(key);
    if (winner !== undefined && winner !== id) decide(id, { type: "superseded", winner });
  }

  for (const id of stillWaiting()) {
    const expiresAt = specs.get(id)?.expiresAt;
    if (expiresAt !== undefined && expiresAt <= now) decide(id, { type: "expired" });
  }

  const plan: QueuePlan = { decisions, runnable: [], waiting: [] };
  // Blocking cascades: a command blocked in this pass blocks its own dependents, whatever order
  // their IDs sort in (`cmd-10` sorts before `cmd-4`). Without the fixpoint the next plan would
  // block them instead: a plan must leave nothing for the next one to decide.
  for (let blocked = true; blocked; ) {
    blocked = false;
    for (const id of stillWaiting()) {
      const dependency = dependencyVerdict(commands.get(id) as Command, states);
      if (dependency.kind !== "dead") continue;
      decide(id, { type: "blocked", dependency: dependency.id, reason: dependency.reason });
      blocked = true;
    }
  }
  for (const id of stillWaiting()) {
    const command = commands.get(id) as Command;
    const dependency = dependencyVerdict(command, states);
    if (dependency.kind === "wait") {
      plan.waiting.push({ id, reason: "dependencies", detail: dependency.reason });
    } else if (notBeforeOf(command, stateOf(id)) > now) {
      const at = new Date(notBeforeOf(command, stateOf(id))).toISOString();
      plan.waiting.push({ id, reason: "not-before", detail: `not before ${at}` });
    } else {
      plan.runnable.push({ id, command, state: stateOf(id) });
    }
  }
  plan.runnable.sort(byPriorityThenAge);
  return plan;
}

/** The agent's queue order at `now`: {@link planQueue}'s runnable commands. */
export function nextRunnable(doc: Pick<DeviceDoc, "commands">, now: number): RunnableCommand[] {
  return planQueue(doc, now).runnable;
}

function foldCommand(command: Command): CommandState {
  return fold(command.spec, command.events);
}

/** Answers each open cancel or retry request according to the state it meets, in log order. */
function answerIntents(
  id: CommandId,
  stateOf: (id: CommandId) => CommandState,
  now: number,
  decide: (id: CommandId, fact: FactInput) => void,
): void {
  for (const request of stateOf(id).requests) {
    if (request.answer !== undefined) continue;
    const state = stateOf(id);
    const answers = request.intent.id;
    if (request.intent.type === "cancel-requested") {
      // A running command is the agent's call (only interruptible kinds can be stopped).
      if (state.status === "running") continue;
      if (isWaiting(state) || state.status === "cancelled")
        decide(id, { type: "cancelled", answers });
      else decide(id, { type: "cancel-too-late", answers });
    } else if (RETRYABLE_ON_REQUEST.has(state.status)) {
      decide(id, { type: "retry-scheduled", notBefore: now, answers });
    } else {
      decide(id, { type: "retry-declined", answers, reason: declineReason(state) });
    }
  }
}

function declineReason(state: CommandState): string {
  if (state.status === "running") return "the command is running";
  if (isTerminal(state)) return `the command is ${state.status}`;
  return "the command has not run yet";
}

type DependencyVerdict =
  | { kind: "ready" }
  | { kind: "wait"; reason: string }
  | { kind: "dead"; id: CommandId; reason: string };

/** Whether every dependency (a superseded one stands for its replacement) has succeeded. */
function dependencyVerdict(
  command: Command,
  states: ReadonlyMap<CommandId, CommandState>,
): DependencyVerdict {
  const pending: string[] = [];
  for (const dependencyId of command.spec.dependsOn) {
    const state = followSupersession(dependencyId, states);
    if (state === undefined) {
      pending.push(`${dependencyId} (not on this device yet)`);
    } else if (DEAD_ENDS.has(state.status)) {
      return {
        kind: "dead",
        id: dependencyId,
        reason: `dependency ${dependencyId} ${state.status}`,
      };
    } else if (state.status !== "succeeded") {
      pending.push(`${dependencyId} (${state.status})`);
    }
  }
  return pending.length === 0
    ? { kind: "ready" }
    : { kind: "wait", reason: `waiting for ${pending.join(", ")}` };
}

/** The state of the command that finally stands for `id` (bounded: supersession chains are short). */
function followSupersession(
  id: CommandId,
  states: ReadonlyMap<CommandId, CommandState>,
): CommandState | undefined {
  let state = states.get(id);
  for (let hops = 0; state?.status === "superseded" && hops < states.size; hops += 1) {
    state = states.get(state.winner);
  }
  return state;
}

/** The later of the spec's `notBefore` and a scheduled retry's time. */
function notBeforeOf(command: Command, state: CommandState): number {
  const retryAt = state.status === "retry-wait" ? state.notBefore : 0;
  return Math.max(command.spec.notBefore ?? 0, retryAt);
}

function byPriorityThenAge(a: RunnableCommand, b: RunnableCommand): number {
  return (
    b.command.priority.value - a.command.priority.value ||
    a.command.spec.createdAt - b.command.spec.createdAt ||
    compareCodeUnits(a.id, b.id)
  );
}
