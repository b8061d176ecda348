import { isImmutableString } from "@automerge/automerge";
import type { ArchiveMonth } from "../commands/archived.js";
import { isArchiveMonth } from "../commands/archived.js";
import { TERMINAL_STATUSES } from "../commands/state.js";
import type { ArchivedCommandRecord, CommandArchiveDoc } from "../documents/command-archive-doc.js";
import { COMMAND_ARCHIVE_DOC_SCHEMA } from "../documents/command-archive-doc.js";
import type { CommandId, DeviceId } from "../ids/ids.js";
import { parseDeviceId } from "../ids/ids.js";
import { validCommand } from "./device-doc.js";
import { checkIdentity } from "./identity.js";
import { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { isRecord, validEntries } from "./validated.js";

/** A validated archive: its identity and each archived command, parsed. */
export interface ValidCommandArchive {
  deviceId: DeviceId;
  month: ArchiveMonth;
  commands: Record<CommandId, ArchivedCommandRecord>;
}

/**
 * Validates a {@link CommandArchiveDoc} read from the network or disk. Never throws: a record that
 * is not JSON, or whose command is malformed or filed under another ID, is left out with its
 * problem; only a broken identity (schema, device ID, month) makes `value` null.
 */
export function validateCommandArchiveDoc(input: unknown): Validated<ValidCommandArchive> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "CommandArchiveDoc", COMMAND_ARCHIVE_DOC_SCHEMA, problems))
    return { value: null, problems };
  let deviceId: DeviceId;
  try {
    deviceId = parseDeviceId(input.deviceId);
  } catch {
    problems.push(new InvalidField("deviceId", "a device ID", input.deviceId));
    return { value: null, problems };
  }
  if (!isArchiveMonth(input.month)) {
    problems.push(new InvalidField("month", "a month YYYY-MM", input.month));
    return { value: null, problems };
  }
  const commands = validEntries(
    input.commands,
    (id, stored, path) => validRecord(id, stored, path, problems),
    "commands",
  ) as Record<CommandId, ArchivedCommandRecord>;
  return { value: { deviceId, month: input.month, commands }, problems };
}

function validRecord(
  id: string,
  stored: unknown,
  path: string,
  problems: InvalidField[],
): ArchivedCommandRecord | undefined {
  const text = isImmutableString(stored) ? stored.val : stored;
  if (typeof text !== "string") {
    problems.push(new InvalidField(path, "an archived command as JSON", stored));
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(new InvalidField(path, "an archived command as JSON", text.slice(0, 80)));
    return undefined;
  }
  if (!isRecord(parsed)) {
    problems.push(new InvalidField(path, "an archived command object", parsed));
    return undefined;
  }
  const command = validCommand(id, parsed.command, `${path}.command`, problems);
  if (command === undefined) return undefined;
  const status = parsed.status;
  if (typeof status !== "string" || !TERMINAL_STATUSES.has(status as never)) {
    problems.push(new InvalidField(`${path}.status`, "a terminal command status", status));
    return undefined;
  }
  const archivedAt = parsed.archivedAt;
  if (typeof archivedAt !== "number" || !Number.isFinite(archivedAt)) {
    problems.push(new InvalidField(`${path}.archivedAt`, "epoch milliseconds", archivedAt));
    return undefined;
  }
  return { command, status: status as ArchivedCommandRecord["status"], archivedAt };
}
