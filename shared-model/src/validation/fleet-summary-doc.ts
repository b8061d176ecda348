import { z } from "zod";
import { FLEET_SUMMARY_DOC_SCHEMA, type FleetSummaryDoc } from "../documents/fleet-summary-doc.js";
import { toPlain } from "../documents/stored-strings.js";
import { type Day, isDay, isDeviceId } from "../ids/ids.js";
import { type DeviceSummary, SUMMARY_TEXT_MAX } from "../summaries/device-summary.js";
import { isShardCount } from "../summaries/shards.js";
import { checkIdentity } from "./identity.js";
import { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { validEntries } from "./validated.js";
import { checkKey, parseRecording } from "./zod-issues.js";

const text = z.string().max(SUMMARY_TEXT_MAX);
const count = z.number().int().nonnegative();

/** Schema of one {@link DeviceSummary} as a shard holds it. */
export const deviceSummarySchema = z.object({
  health: z.enum(["critical", "warning", "ok", "unknown"]),
  healthReasons: z.array(text).max(20),
  lastSampleDay: z.custom<Day>(isDay, { message: "expected a day YYYY-MM-DD" }).optional(),
  pendingCommands: count,
  failedCommands: count,
  lifecycle: text,
  assignee: text,
  location: text,
  tags: z.array(text).max(100),
  hostname: text,
  os: text,
  model: text,
  damaged: z.string().max(2_000).optional(),
  heads: z.array(z.string().regex(/^[0-9a-f]{64}$/, { message: "expected a change hash" })).max(64),
}) satisfies z.ZodType<DeviceSummary>;

/**
 * Validates one entry of a shard's `devices` (`path` names it, `devices.<id>`); records what is
 * wrong in `problems` and returns undefined for a bad key or entry.
 */
export function validateSummaryEntry(
  deviceId: string,
  entry: unknown,
  path: string,
  problems: InvalidField[],
): DeviceSummary | undefined {
  return checkKey(isDeviceId, deviceId, path, "a device ID as the key", problems)
    ? parseRecording(deviceSummarySchema, toPlain<unknown>(entry), path, problems)
    : undefined;
}

/**
 * Validates a summary shard read from the network. Never throws: a malformed entry is left out
 * and reported with its path (`devices.lt-0001.pendingCommands: expected int, received "3"`), so
 * its row falls back to the device's own DeviceDoc; a broken identity makes `value` null.
 */
export function validateFleetSummaryDoc(input: unknown): Validated<FleetSummaryDoc> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "FleetSummaryDoc", FLEET_SUMMARY_DOC_SCHEMA, problems)) {
    return { value: null, problems };
  }
  if (!isShardCount(input.shardCount)) {
    problems.push(new InvalidField("shardCount", "a power of two", input.shardCount));
    return { value: null, problems };
  }
  const shardCount = input.shardCount;
  const shard = input.shard;
  if (typeof shard !== "number" || !Number.isInteger(shard) || shard < 0 || shard >= shardCount) {
    problems.push(new InvalidField("shard", `a shard index below ${shardCount}`, shard));
    return { value: null, problems };
  }
  const devices = validEntries(
    input.devices,
    (deviceId, entry, path) => validateSummaryEntry(deviceId, entry, path, problems),
    "devices",
  );
  return {
    value: { schema: FLEET_SUMMARY_DOC_SCHEMA, shard, shardCount, devices },
    problems,
  };
}
