import { ImmutableString } from "@automerge/automerge";
import type { ArchiveMonth } from "../commands/archived.js";
import type { Command } from "../commands/command.js";
import type { CommandStatus } from "../commands/state.js";
import type { CommandId, DeviceId } from "../ids/ids.js";

/** The schema version this code writes and reads for {@link CommandArchiveDoc}. */
export const COMMAND_ARCHIVE_DOC_SCHEMA = 1;

/** One archived command as its archive holds it: the command whole, as it was when archived. */
export interface ArchivedCommandRecord {
  /** Spec (with its signature), priority register and every event, verbatim. */
  command: Command;
  /** How it ended. */
  status: CommandStatus;
  /** When the agent archived it (agent clock, epoch ms). */
  archivedAt: number;
}

/**
 * One per device per UTC month: the finished commands the agent moved out of the live DeviceDoc
 * that month, written by the agent alone and never edited (docs/ARCHITECTURE.md, "Archiving
 * finished commands").
 *
 * Each command is one JSON string stored as an Automerge `ImmutableString`: one operation per
 * command, where a plain string is text with an operation per character (a signature alone is
 * 109). Nothing edits an archived command, so it needs no merge rule finer than "written once";
 * readers parse and validate it like any untrusted input.
 */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type CommandArchiveDoc = {
  schema: typeof COMMAND_ARCHIVE_DOC_SCHEMA;
  deviceId: DeviceId;
  month: ArchiveMonth;
  /** By command ID: an {@link ArchivedCommandRecord} as JSON. */
  commands: Record<CommandId, ImmutableString>;
};

/** A new, empty archive document's contents. */
export function newCommandArchiveDoc(deviceId: DeviceId, month: ArchiveMonth): CommandArchiveDoc {
  return { schema: COMMAND_ARCHIVE_DOC_SCHEMA, deviceId, month, commands: {} };
}

/** The stored form of one archived command. */
export function archiveRecordValue(record: ArchivedCommandRecord): ImmutableString {
  return new ImmutableString(JSON.stringify(record));
}
