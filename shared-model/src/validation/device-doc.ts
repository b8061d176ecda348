import type { ArchivedCommand, CommandEntry } from "../commands/archived.js";
import { isArchiveMonth } from "../commands/archived.js";
import type { Command } from "../commands/command.js";
import type { CommandEvent } from "../commands/events.js";
import { PRIORITY } from "../commands/spec.js";
import { isJsonSpec, plainSpec } from "../commands/stored-spec.js";
import { DEFAULT_ASSET } from "../documents/create.js";
import type { DeviceDoc } from "../documents/device-doc.js";
import { DEVICE_DOC_SCHEMA, READABLE_DEVICE_DOC_SCHEMAS } from "../documents/device-doc.js";
import { validatePolicyRecord } from "../documents/policy.js";
import { toPlain } from "../documents/stored-strings.js";
import type { DeviceId } from "../ids/ids.js";
import { isDay, parseDeviceId } from "../ids/ids.js";
import { certificateSchema } from "./certificate-schemas.js";
import {
  archiveMarkSchema,
  commandEventSchema,
  commandSpecSchema,
  priorityRegisterSchema,
} from "./command-schemas.js";
import {
  assetShape,
  commandArchiveIndexEntrySchema,
  inventorySchema,
  telemetryIndexEntrySchema,
} from "./device-doc-schemas.js";
import { checkIdentity } from "./identity.js";
import { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { fieldsWithDefaults, isRecord, validEntries } from "./validated.js";
import { checkKey, parseOrProblems, parseRecording } from "./zod-issues.js";

/**
 * Validates a DeviceDoc read from the network or disk. Never throws. A bad section falls back to
 * its default (asset and policy field by field), a bad telemetry entry, command or event is left
 * out, and each problem is reported with its path; only a broken identity (not an object, an
 * unknown schema, a bad device ID) makes the whole document unusable.
 */
export function validateDeviceDoc(input: unknown): Validated<DeviceDoc> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "DeviceDoc", DEVICE_DOC_SCHEMA, problems, READABLE_DEVICE_DOC_SCHEMAS))
    return { value: null, problems };
  let deviceId: DeviceId;
  try {
    deviceId = parseDeviceId(input.deviceId);
  } catch {
    problems.push(new InvalidField("deviceId", "a device ID", input.deviceId));
    return { value: null, problems };
  }

  const inventory = parseOrProblems(
    inventorySchema.nullable(),
    input.inventory ?? null,
    "inventory",
  );
  if (!inventory.ok) problems.push(...inventory.problems);

  const policy = validatePolicyRecord(input.policy);
  problems.push(...policy.problems);
  const value: DeviceDoc = {
    schema: DEVICE_DOC_SCHEMA,
    deviceId,
    inventory: inventory.ok ? inventory.value : null,
    asset: fieldsWithDefaults(input.asset, assetShape, DEFAULT_ASSET, "asset", problems),
    policy: policy.value,
    telemetry: validEntries(
      input.telemetry,
      (day, entry, path) =>
        checkKey(isDay, day, path, "a day key YYYY-MM-DD", problems)
          ? parseRecording(telemetryIndexEntrySchema, entry, path, problems)
          : undefined,
      "telemetry",
    ),
    // Commands store their strings as ImmutableStrings (documents/stored-strings.ts).
    commands: validEntries(
      toPlain<unknown>(input.commands),
      (id, command, path) => validCommandEntry(id, command, path, problems),
      "commands",
    ),
    commandArchives: validEntries(
      input.commandArchives,
      (month, entry, path) =>
        checkKey(isArchiveMonth, month, path, "a month key YYYY-MM", problems)
          ? parseRecording(commandArchiveIndexEntrySchema, entry, path, problems)
          : undefined,
      "commandArchives",
    ),
    signers: validEntries(
      input.signers,
      (keyId, certificate, path) => {
        const parsed = parseRecording(certificateSchema, certificate, path, problems);
        if (parsed === undefined || parsed.keyId === keyId) return parsed;
        problems.push(new InvalidField(`${path}.keyId`, `the key ID ${keyId}`, parsed.keyId));
        return undefined;
      },
      "signers",
    ),
  };
  return { value, problems };
}

/** A live command, or an archived command's mark (with the events written to it since). */
function validCommandEntry(
  id: string,
  input: unknown,
  path: string,
  problems: InvalidField[],
): CommandEntry | undefined {
  if (!isRecord(input) || input.archived === undefined)
    return validCommand(id, input, path, problems);
  const mark = parseOrProblems(archiveMarkSchema, input.archived, `${path}.archived`);
  if (!mark.ok) {
    problems.push(...mark.problems);
    return undefined;
  }
  const archived: ArchivedCommand = {
    archived: mark.value,
    events: validEvents(input, path, problems),
  };
  // A priority an admin set while the agent archived the command lands here (archived.ts).
  if (input.priority !== undefined) {
    const priority = parseOrProblems(priorityRegisterSchema, input.priority, `${path}.priority`);
    if (priority.ok) archived.priority = priority.value;
    else problems.push(...priority.problems);
  }
  return archived;
}

/**
 * A command survives when its spec is sound; a bad priority falls back, bad events drop out.
 * Archives validate their records with it too.
 */
export function validCommand(
  id: string,
  input: unknown,
  path: string,
  problems: InvalidField[],
): Command | undefined {
  if (!isRecord(input)) {
    problems.push(new InvalidField(path, "a command object", input));
    return undefined;
  }
  // A spec is stored as its JSON (commands/stored-spec.ts), or as a map in documents before.
  const storedSpec = isJsonSpec(input.spec) ? plainSpec(input.spec) : input.spec;
  if (typeof storedSpec === "string") {
    problems.push(
      new InvalidField(`${path}.spec`, "a command spec as JSON", storedSpec.slice(0, 80)),
    );
    return undefined;
  }
  const spec = parseOrProblems(commandSpecSchema, storedSpec, `${path}.spec`);
  if (!spec.ok) {
    problems.push(...spec.problems);
    return undefined;
  }
  if (spec.value.id !== id) {
    problems.push(
      new InvalidField(`${path}.spec.id`, `the command's key ${JSON.stringify(id)}`, spec.value.id),
    );
    return undefined;
  }
  const priority = parseOrProblems(priorityRegisterSchema, input.priority, `${path}.priority`);
  if (!priority.ok) problems.push(...priority.problems);
  return {
    spec: spec.value,
    priority: priority.ok ? priority.value : { value: PRIORITY.default, setBy: "", setAt: 0 },
    events: validEvents(input, path, problems),
  };
}

/** The command's events that are sound; each bad one is a problem and drops out. */
function validEvents(
  input: Record<string, unknown>,
  path: string,
  problems: InvalidField[],
): CommandEvent[] {
  const events: CommandEvent[] = [];
  const rawEvents = Array.isArray(input.events) ? input.events : [];
  if (!Array.isArray(input.events))
    problems.push(new InvalidField(`${path}.events`, "a list of events", input.events));
  rawEvents.forEach((event, index) => {
    const parsed = parseOrProblems(commandEventSchema, event, `${path}.events.${index}`);
    if (parsed.ok) events.push(parsed.value);
    else problems.push(...parsed.problems);
  });
  return events;
}
