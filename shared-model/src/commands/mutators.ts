/**
 * Writers for the command queue. Each takes a draft DeviceDoc and is meant to run inside one
 * Automerge change (`handle.change(d => requestCancel(d, id, actor))`), so a call is one change.
 * Every string they write is an `ImmutableString` scalar (documents/stored-strings.ts): one
 * operation in the document's history instead of one per character.
 */
import type { Actor } from "../actors/actor.js";
import { toStored } from "../documents/stored-strings.js";
import type { CommandId, EventId } from "../ids/ids.js";
import { newCommandId, newEventId } from "../ids/ids.js";
import { withoutUndefined } from "../util/without-undefined.js";
import { checkCommandSpec, checkPriority } from "../validation/command-schemas.js";
import type { StoredCommand, StoredCommandEntry } from "./archived.js";
import type { WithCommands } from "./command.js";
import type { CommandEvent, FactInput, Intent } from "./events.js";
import type {
  CommandArgValue,
  CommandSpec,
  CommandWindow,
  PriorityRegister,
  RetryPolicy,
} from "./spec.js";
import { DEFAULT_RETRY_POLICY, PRIORITY } from "./spec.js";
import { toStoredSpec } from "./stored-spec.js";

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

/** A command as an admin is about to write it: its spec and its first priority register. */
export interface CommandDraft {
  spec: CommandSpec;
  priority: PriorityRegister;
}

/**
 * The spec and first priority of a new command, checked, not yet written: sign it (see
 * trust/sign-writes.ts), then {@link insertCommand} it.
 *
 * @throws ValidationFailed naming every bad field
 */
export function draftCommand(input: EnqueueInput, actor: Actor): CommandDraft {
  const id = input.id ?? newCommandId();
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
  return { spec, priority: { value: priority, setBy: actor.by, setAt: actor.at } };
}

/** Writes a drafted (and signed) command with an empty event log; returns its ID. */
export function insertCommand(draft: WithCommands, command: CommandDraft): CommandId {
  const id = command.spec.id;
  if (draft.commands[id] !== undefined) throw new DuplicateCommand(id);
  // The spec as one JSON scalar (commands/stored-spec.ts), the rest with its strings as scalars.
  const written: StoredCommand = {
    spec: toStoredSpec(command.spec),
    priority: toStored(command.priority),
    events: [],
  };
  draft.commands[id] = written;
  return id;
}

/**
 * Adds an unsigned command with its spec, priority and an empty event log; returns its ID. Agents
 * run only signed commands (the dashboard signs; see trust/sign-writes.ts), so this serves the
 * pure queue logic's tests and documents no agent acts on.
 */
export function enqueueCommand(draft: WithCommands, input: EnqueueInput, actor: Actor): CommandId {
  return insertCommand(draft, draftCommand(input, actor));
}

/** A new priority register for a command, checked, not yet written. */
export function draftPriority(value: number, actor: Actor): PriorityRegister {
  checkPriority(value);
  return { value, setBy: actor.by, setAt: actor.at };
}

/** Replaces the command's priority register with a drafted (and signed) one. */
export function writePriority(
  draft: WithCommands,
  id: CommandId,
  register: PriorityRegister,
): void {
  commandIn(draft, id).priority = toStored(register);
}

/** Replaces the command's priority register, unsigned (last writer wins; conflicts stay visible). */
export function setPriority(draft: WithCommands, id: CommandId, value: number, actor: Actor): void {
  writePriority(draft, id, draftPriority(value, actor));
}

/**
 * An intent with its ID, time and author, not yet written: sign it, then {@link appendIntent}.
 */
export function draftIntent<I extends IntentInput>(body: I, actor: Actor): I & IntentFields {
  return withoutUndefined({ ...body, id: newEventId(), at: actor.at, by: actor.by }) as I &
    IntentFields;
}

/** Appends a drafted (and signed) intent to the command's log; returns its ID. */
export function appendIntent(draft: WithCommands, id: CommandId, intent: Intent): EventId {
  commandIn(draft, id).events.push(toStored(intent));
  return intent.id;
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
    draftIntent(withoutUndefined({ type: "cancel-requested" as const, reason }), actor),
  );
}

/** Asks the agent to run the command again; returns the intent's ID. */
export function requestRetry(draft: WithCommands, id: CommandId, actor: Actor): EventId {
  return appendIntent(draft, id, draftIntent({ type: "retry-requested" as const }, actor));
}

/** Adds an admin's note to the command's log. */
export function addNote(draft: WithCommands, id: CommandId, text: string, actor: Actor): EventId {
  return appendIntent(draft, id, draftIntent({ type: "note" as const, text }, actor));
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

/** What an intent says, before it has an ID, a time and an author. */
export type IntentInput = Intent extends infer I
  ? I extends Intent
    ? Omit<I, "id" | "at" | "by" | "signature">
    : never
  : never;

/** The fields {@link draftIntent} adds. */
type IntentFields = { id: EventId; at: number; by: string };

function append(draft: WithCommands, id: CommandId, body: FactInput, actor: Actor): EventId {
  const eventId = newEventId();
  const event = { ...body, id: eventId, at: actor.at, by: actor.by } as CommandEvent;
  commandIn(draft, id).events.push(toStored(event));
  return eventId;
}

/**
 * The command's entry, live or archived: an archived command keeps its events list, so an intent
 * or a priority written to it lands where everyone sees it (see archived.ts).
 */
function commandIn(draft: WithCommands, id: CommandId): StoredCommandEntry {
  const command = draft.commands[id];
  if (command === undefined) throw new UnknownCommand(id);
  return command;
}
