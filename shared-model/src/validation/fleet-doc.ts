import { z } from "zod";
import type { FleetDevice, FleetDoc, FleetSummaryIndex } from "../documents/fleet-doc.js";
import { FLEET_DOC_SCHEMA } from "../documents/fleet-doc.js";
import { toPlain } from "../documents/stored-strings.js";
import { isDeviceId } from "../ids/ids.js";
import { isShardCount } from "../summaries/shards.js";
import { checkIdentity } from "./identity.js";
import type { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { validEntries } from "./validated.js";
import { checkKey, parseRecording } from "./zod-issues.js";

const fleetDeviceSchema = z.object({
  deviceDocUrl: z.string().startsWith("automerge:", { message: "expected an automerge: URL" }),
  hostname: z.string().max(255),
  enrolledAt: z.number().int().nonnegative(),
  revokedAt: z.number().int().nonnegative().optional(),
}) satisfies z.ZodType<FleetDevice>;

const summaryIndexSchema = z.object({
  shardCount: z.number().refine(isShardCount, { message: "expected a power of two" }),
  shards: z
    .array(z.string().startsWith("automerge:", { message: "expected an automerge: URL" }))
    .max(65_536),
}) satisfies z.ZodType<FleetSummaryIndex>;

/** Validates a FleetDoc; a malformed device entry is left out and reported, never thrown. */
export function validateFleetDoc(input: unknown): Validated<FleetDoc> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "FleetDoc", FLEET_DOC_SCHEMA, problems))
    return { value: null, problems };
  const devices = validEntries(
    input.devices,
    (deviceId, entry, path) =>
      checkKey(isDeviceId, deviceId, path, "a device ID as the key", problems)
        ? parseRecording(fleetDeviceSchema, toPlain<unknown>(entry), path, problems)
        : undefined,
    "devices",
  );
  const value: FleetDoc = { schema: FLEET_DOC_SCHEMA, devices };
  if (input.summaries !== undefined) {
    const summaries = parseRecording(
      summaryIndexSchema,
      toPlain<unknown>(input.summaries),
      "summaries",
      problems,
    );
    if (summaries !== undefined) value.summaries = summaries;
  }
  return { value, problems };
}
