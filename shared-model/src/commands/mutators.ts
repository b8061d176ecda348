/**
 * Writers for the command queue. Each takes a draft DeviceDoc and is meant to run inside one
 * Automerge change (`handle.change(d => requestCancel(d, id, actor))`), so a call is one change.
 */
import type { Actor } from "../actors/actor.js";
import type { CommandId, EventId } from "../ids/ids.js";
import { newCommandId, newEventId } from "../ids/ids.js";
import { withoutUndefined } from "../util/without-undefined.js";
import { checkCommandSpec, checkPriority } from "../validation/command-schemas.js";
import type { Command, WithCommands } from "./command.js";
import type { CommandEvent, FactInput, Intent } from "./events.js";
import type { CommandArgValue, CommandSpec, CommandWindow, RetryPolicy } from "./spec.js";
import { DEFAULT_RETRY_POLICY, PRIORITY } from "./spec.js";

/** What an admin fills in to enqueue a command; everything but `kind` has a default. */
export interface EnqueueInput {
  kind: string;
  args?: Record<string, CommandArgValue>;
  priority?: number;
  dedupeKey?: string;
  dependsOn?: CommandId[];
  lock?: string;
  window?: CommandWindow;
  notBefore?: number;
  expiresAt?: number;
  retry?: Partial<RetryPolicy>;
  signature?: string;
  /** A caller-chosen ID (e.g. to enqueue the same command to several devices); random otherwise. */
  id?: CommandId;
}

/** Thrown when a command ID names no command in the document. */
export class UnknownCommand extends Error {
  constructor(readonly commandId: string) {
    super(`no command ${JSON.stringify(commandId)} in this device document`);
    this.name = "UnknownCommand";
  }
}

/** Thrown when enqueueing would overwrite an existing command (specs are written once). */
export class DuplicateCommand extends Error {
  constructor(readonly commandId: string) {
    super(`command ${JSON.stringify(commandId)} already exists; a spec is never rewritten`);
    this.name = "DuplicateCommand";
  }
}

/** Adds a command with its spec, priority and an empty event log; returns its ID. */
export function enqueueCommand(draft: WithCommands, input: EnqueueInput, actor: Actor): CommandId {
  const id = input.id ?? newCommandId();
  if (draft.commands[id] !== undefined) throw new DuplicateCommand(id);
  const spec: CommandSpec = withoutUndefined({
    id,
    kind: input.kind,
    args: input.args ?? {},
    createdBy: actor.by,
    createdAt: actor.at,
    dedupeKey: input.dedupeKey,
    dependsOn: input.dependsOn ?? [],
    lock: input.lock,
    window: input.window ?? "any",
    notBefore: input.notBefore,
    expiresAt: input.expiresAt,
    retry: { ...DEFAULT_RETRY_POLICY, ...input.retry },
    signature: input.signature,
  });
  checkCommandSpec(spec);
  const priority = input.priority ?? PRIORITY.default;
  checkPriority(priority);
  const command: Command = {
    spec,
    priority: { value: priority, setBy: actor.by, setAt: actor.at },
    events: [],
  };
  draft.commands[id] = command;
  return id;
}

/** Replaces the command's priority register (last writer wins; conflicts stay visible). */
export function setPriority(draft: WithCommands, id: CommandId, value: number, actor: Actor): void {
  checkPriority(value);
  commandIn(draft, id).priority = { value, setBy: actor.by, setAt: actor.at };
}

/** Asks the agent to cancel; returns the intent's ID, which the answering fact will name. */
export function requestCancel(
  draft: WithCommands,
  id: CommandId,
  actor: Actor,
  reason?: string,
): EventId {
  return appendIntent(
    draft,
    id,
    withoutUndefined({ type: "cancel-requested" as const, reason }),
    actor,
  );
}

/** Asks the agent to run the command again; returns the intent's ID. */
export function requestRetry(draft: WithCommands, id: CommandId, actor: Actor): EventId {
  return appendIntent(draft, id, { type: "retry-requested" }, actor);
}

/** Adds an admin's note to the command's log. */
export function addNote(draft: WithCommands, id: CommandId, text: string, actor: Actor): EventId {
  return appendIntent(draft, id, { type: "note", text }, actor);
}

/** Appends an agent fact. Only the agent calls this: facts are the device's word on what happened. */
export function recordFact(
  draft: WithCommands,
  id: CommandId,
  fact: FactInput,
  actor: Actor,
): EventId {
  return append(draft, id, withoutUndefined(fact), actor);
}

type IntentInput = Intent extends infer I
  ? I extends Intent
    ? Omit<I, "id" | "at" | "by">
    : never
  : never;

function appendIntent(
  draft: WithCommands,
  id: CommandId,
  intent: IntentInput,
  actor: Actor,
): EventId {
  return append(draft, id, intent, actor);
}

function append(
  draft: WithCommands,
  id: CommandId,
  body: IntentInput | FactInput,
  actor: Actor,
): EventId {
  const eventId = newEventId();
  const event = { ...body, id: eventId, at: actor.at, by: actor.by } as CommandEvent;
  commandIn(draft, id).events.push(event);
  return eventId;
}

function commandIn(draft: WithCommands, id: CommandId): Command {
  const command = draft.commands[id];
  if (command === undefined) throw new UnknownCommand(id);
  return command;
}
