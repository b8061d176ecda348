import type { CommandId } from "../ids/ids.js";
import { compareCodeUnits } from "../util/compare-code-units.js";
import type { ArchivedCommand, ArchiveMark } from "./archived.js";
import { isArchived, openIntents, plainCommands } from "./archived.js";
import type { Command, WithCommands } from "./command.js";
import { dedupeWinners } from "./dedupe.js";
import { dependencyVerdict, noteDependencyWatchers } from "./dependencies.js";
import { describeCycle, findDependencyCycles } from "./dependency-cycles.js";
import type { Fact, FactInput, Intent } from "./events.js";
import { fold } from "./fold.js";
import type { FoldCache } from "./fold-cache.js";
import type { QueueEntry } from "./queue-entries.js";
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
  /**
   * Until when (epoch ms, exclusive) this plan holds for the same document: the first moment a
   * `notBefore`, retry time or `expiresAt` passes. A plan with decisions holds only for `now`,
   * since recording them changes the document. So an agent ticking over an unchanged queue can
   * reuse its plan instead of planning 10,000 commands again.
   */
  stableUntil: number;
}

/** Statuses in which an admin's retry request schedules a new attempt now. */
const RETRYABLE_ON_REQUEST = new Set(["failed", "interrupted", "blocked", "retry-wait"]);

/** How a plan gets each command's state; the default folds it afresh. */
export interface PlanOptions {
  /**
   * The state of one command as its events stand. Pass {@link FoldCache.stateOf} to reuse the
   * states of commands that have not changed since the last plan.
   */
  stateOf?: (command: Command) => CommandState;
  /** What the agent trusts (signatures, checked before planning); without it, everything. */
  trust?: QueueTrust;
}

/**
 * The agent's verdicts on what admins signed (docs/ARCHITECTURE.md, "Trust"), looked up while
 * planning: checking a signature is asynchronous and a plan is not, so the agent checks first.
 */
export interface QueueTrust {
  /**
   * Why the command is not to be run (its spec's signature, or its signer since revoked), or
   * `undefined` when it may. A waiting command with a problem is rejected with it, before dedupe,
   * so an untrusted command can never stand for a dedupe key, nor anything else.
   */
  specProblem(command: Command): string | undefined;
  /** Why an open cancel or retry request is not trusted; it is answered `intent-rejected`. */
  intentProblem(commandId: CommandId, intent: Intent): string | undefined;
  /** The priority to order the command by: its register's value only when that is trusted. */
  priorityOf(command: Command): number;
  /**
   * Whether an archived command's mark is the agent's own (the agent remembers what it archived):
   * a mark it did not write is ignored, so a writer who is not the agent cannot make a dependency
   * look finished or a dedupe twin look run. Without it, every mark is taken as written.
   */
  archiveTrusted?(commandId: CommandId, entry: ArchivedCommand): boolean;
}

/**
 * Plans the queue at `now`: the pure part of the agent's scheduling (ARCHITECTURE.md, "The
 * planner"), before device gates (window, load, critical operations, locks). It answers open
 * intents, rejects dependency cycles, supersedes dedupe losers, expires, blocks dependents of dead
 * ends, and orders the rest by priority (highest first), then age (`createdAt`, then `id`, so every
 * replica agrees). Linear in the number of commands and dependencies.
 */
export function planQueue(doc: WithCommands, now: number, options: PlanOptions = {}): QueuePlan {
  const stateOf = options.stateOf ?? foldCommand;
  // Key order of an Automerge map differs between replicas; decisions must not.
  const commands = plainCommands(doc.commands);
  const ids = (Object.keys(commands) as CommandId[]).sort(compareCodeUnits);
  const trust = options.trust;
  const entries = new Map<CommandId, QueueEntry>();
  // Archived commands are out of the queue, but dependents and dedupe twins still read how they
  // ended (archived.ts).
  const archived = new Map<CommandId, ArchiveMark>();
  const decisions: QueueDecision[] = [];
  for (const id of ids) {
    const command = commands[id];
    if (command === undefined) continue;
    if (isArchived(command)) {
      if (trust?.archiveTrusted?.(id, command) === false) continue;
      archived.set(id, command.archived);
      answerArchivedIntents(id, command, decisions, trust);
      continue;
    }
    entries.set(id, { id, command, state: stateOf(command) });
  }
  // Each decision is folded in at once, so later steps see the state the agent will record.
  const plannedFacts = new Map<CommandId, Fact[]>();
  const decide = (entry: QueueEntry, fact: FactInput) => {
    decisions.push({ commandId: entry.id, fact });
    const planned = Object.assign({}, fact, {
      id: `planned-${decisions.length}`,
      at: now,
      by: "planner",
    }) as Fact;
    const facts = [...(plannedFacts.get(entry.id) ?? []), planned];
    plannedFacts.set(entry.id, facts);
    entry.state = fold(entry.command.spec, [...entry.command.events, ...facts]);
  };
  if (trust !== undefined) {
    for (const entry of entries.values()) {
      if (!isWaiting(entry.state)) continue;
      const problem = trust.specProblem(entry.command);
      if (problem !== undefined) decide(entry, { type: "rejected", reason: problem });
    }
  }
  for (const entry of entries.values()) answerIntents(entry, now, decide, trust);
  // From here on decisions only end waiting, so each step filters the last step's list.
  let waiting = [...entries.values()].filter((entry) => isWaiting(entry.state));
  const stillWaiting = () => {
    waiting = waiting.filter((entry) => isWaiting(entry.state));
    return waiting;
  };

  for (const [id, cycle] of findDependencyCycles(entries)) {
    decide(entries.get(id) as QueueEntry, {
      type: "rejected",
      reason: `dependency cycle: ${describeCycle(cycle)}`,
    });
  }

  const winners = dedupeWinners(entries, archived);
  for (const entry of stillWaiting()) {
    const { dedupeKey, expiresAt } = entry.command.spec;
    const winner = dedupeKey === undefined ? undefined : winners.get(dedupeKey);
    if (winner !== undefined && winner !== entry.id) decide(entry, { type: "superseded", winner });
    else if (expiresAt !== undefined && expiresAt <= now) decide(entry, { type: "expired" });
  }

  // Blocking cascades: a command blocked here blocks its own dependents, whatever order their
  // IDs sort in (`cmd-10` sorts before `cmd-4`), or the next plan would block them instead: a
  // plan must leave nothing for the next one to decide. A worklist keeps this linear (a pass
  // per level of a long chain was quadratic); a command's last verdict is its final one, since
  // any change to its dependencies puts it back on the list.
  const toCheck = [...stillWaiting()];
  let watchersNoted = false;
  for (let index = 0; index < toCheck.length; index += 1) {
    const entry = toCheck[index] as QueueEntry;
    if (!isWaiting(entry.state)) continue;
    const dependency = dependencyVerdict(entry.command, entries, archived);
    entry.verdict = dependency;
    if (dependency.kind !== "dead") continue;
    decide(entry, { type: "blocked", dependency: dependency.id, reason: dependency.reason });
    if (!watchersNoted) noteDependencyWatchers(toCheck, entries, archived);
    watchersNoted = true;
    for (const watcher of entry.watchers ?? []) toCheck.push(watcher);
  }

  const plan: QueuePlan = { decisions, runnable: [], waiting: [], stableUntil: Infinity };
  for (const entry of stillWaiting()) {
    const { id, command, state, verdict: dependency } = entry;
    const notBefore = notBeforeOf(command, state);
    const expiresAt = command.spec.expiresAt ?? Infinity;
    plan.stableUntil = Math.min(
      plan.stableUntil,
      notBefore > now ? notBefore : Infinity,
      expiresAt,
    );
    if (dependency?.kind === "wait") {
      plan.waiting.push({ id, reason: "dependencies", detail: dependency.reason });
    } else if (notBefore > now) {
      const at = new Date(notBefore).toISOString();
      plan.waiting.push({ id, reason: "not-before", detail: `not before ${at}` });
    } else {
      plan.runnable.push({ id, command, state });
    }
  }
  plan.runnable = byPriorityThenAge(plan.runnable, trust);
  if (decisions.length > 0) plan.stableUntil = now;
  return plan;
}

/** The agent's queue order at `now`: {@link planQueue}'s runnable commands. */
export function nextRunnable(
  doc: WithCommands,
  now: number,
  options: PlanOptions = {},
): RunnableCommand[] {
  return planQueue(doc, now, options).runnable;
}

function foldCommand(command: Command): CommandState {
  return fold(command.spec, command.events);
}

/** Answers each open cancel or retry request according to the state it meets, in log order. */
function answerIntents(
  entry: QueueEntry,
  now: number,
  decide: (entry: QueueEntry, fact: FactInput) => void,
  trust: QueueTrust | undefined,
): void {
  for (const request of entry.state.requests) {
    if (request.answer !== undefined) continue;
    const state = entry.state;
    const answers = request.intent.id;
    const problem = trust?.intentProblem(entry.id, request.intent);
    if (problem !== undefined) {
      decide(entry, { type: "intent-rejected", answers, reason: problem });
      continue;
    }
    if (request.intent.type === "cancel-requested") {
      // A running command is the agent's call (only interruptible kinds can be stopped).
      if (state.status === "running") continue;
      if (isWaiting(state) || state.status === "cancelled")
        decide(entry, { type: "cancelled", answers });
      else decide(entry, { type: "cancel-too-late", answers });
    } else if (RETRYABLE_ON_REQUEST.has(state.status)) {
      decide(entry, { type: "retry-scheduled", notBefore: now, answers });
    } else {
      decide(entry, { type: "retry-declined", answers, reason: declineReason(state) });
    }
  }
}

/**
 * Answers the open cancel and retry requests on an archived command: it had ended, so a cancel
 * comes too late and a retry is declined (an admin enqueues it again). Such a request was written
 * while, or after, the agent archived the command; answered, it is never silently lost.
 */
function answerArchivedIntents(
  id: CommandId,
  command: ArchivedCommand,
  decisions: QueueDecision[],
  trust: QueueTrust | undefined,
): void {
  for (const intent of openIntents(command.events)) {
    const answers = intent.id;
    const problem = trust?.intentProblem(id, intent);
    if (problem !== undefined) {
      decisions.push({
        commandId: id,
        fact: { type: "intent-rejected", answers, reason: problem },
      });
    } else if (intent.type === "cancel-requested") {
      decisions.push({ commandId: id, fact: { type: "cancel-too-late", answers } });
    } else {
      const { month, status } = command.archived;
      const reason = `the command is archived (${status}, archive ${month}); enqueue it again`;
      decisions.push({ commandId: id, fact: { type: "retry-declined", answers, reason } });
    }
  }
}

function declineReason(state: CommandState): string {
  if (state.status === "running") return "the command is running";
  if (isTerminal(state)) return `the command is ${state.status}`;
  return "the command has not run yet";
}

/** The later of the spec's `notBefore` and a scheduled retry's time. */
function notBeforeOf(command: Command, state: CommandState): number {
  const retryAt = state.status === "retry-wait" ? state.notBefore : 0;
  return Math.max(command.spec.notBefore ?? 0, retryAt);
}

/**
 * Sorted highest priority first, then oldest, then by ID. The keys are read once per command
 * (a comparator reading them from the document's objects cost as much as the rest of the plan).
 */
function byPriorityThenAge(
  runnable: RunnableCommand[],
  trust: QueueTrust | undefined,
): RunnableCommand[] {
  return runnable
    .map((candidate) => ({
      candidate,
      priority: trust?.priorityOf(candidate.command) ?? candidate.command.priority.value,
      createdAt: candidate.command.spec.createdAt,
    }))
    .sort(
      (a, b) =>
        b.priority - a.priority ||
        a.createdAt - b.createdAt ||
        compareCodeUnits(a.candidate.id, b.candidate.id),
    )
    .map(({ candidate }) => candidate);
}
