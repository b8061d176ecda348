import type { CommandId } from "../ids/ids.js";
import type { StoredCommandEntry } from "./archived.js";
import type { CommandEvent } from "./events.js";
import type { CommandSpec, PriorityRegister } from "./spec.js";

/** One entry of `DeviceDoc.commands`: an immutable spec, an LWW priority, an append-only log. */
export interface Command {
  spec: CommandSpec;
  priority: PriorityRegister;
  /** Intents and facts, appended by both sides; nobody edits or deletes an entry. */
  events: CommandEvent[];
}

/**
 * What the queue's readers and writers need of a document: its commands by ID, live or archived,
 * as stored (see {@link StoredCommandEntry}; readers go through `plainCommands`). A `DeviceDoc` is
 * one; taking this instead keeps `commands/` from importing `documents/`, which imports it.
 */
export interface WithCommands {
  commands: Record<CommandId, StoredCommandEntry>;
}
