import {
  type FleetDevice,
  type FleetSummaryIndex,
  type InvalidField,
  toPlain,
  validateFleetSummaryDoc,
  validateSummaryEntry,
} from "@outpost/shared-model";
import type { FleetContent, ShardContent } from "./fleet-index-messages.js";

/**
 * The FleetDoc as the fleet view reads it. The relay alone writes it (the page reads its handle
 * the same way); only what is not plain data is left out here, so it can cross to the page. Its
 * strings may be `ImmutableString` scalars (as the relay writes them) or text (written before).
 */
export function fleetContentOf(raw: unknown): FleetContent {
  const plain = toPlain<unknown>(raw);
  const doc = isRecord(plain) ? plain : {};
  const devices: Record<string, FleetDevice> = {};
  if (isRecord(doc.devices)) {
    for (const [deviceId, entry] of Object.entries(doc.devices)) {
      if (!isRecord(entry)) continue;
      const { deviceDocUrl, hostname, enrolledAt, revokedAt } = entry;
      if (typeof deviceDocUrl !== "string" || typeof hostname !== "string") continue;
      if (typeof enrolledAt !== "number") continue;
      devices[deviceId] = {
        deviceDocUrl,
        hostname,
        enrolledAt,
        ...(typeof revokedAt === "number" ? { revokedAt } : {}),
      };
    }
  }
  const summaries = doc.summaries;
  const index: FleetSummaryIndex | undefined =
    isRecord(summaries) &&
    typeof summaries.shardCount === "number" &&
    Array.isArray(summaries.shards) &&
    summaries.shards.every((url) => typeof url === "string")
      ? { shardCount: summaries.shardCount, shards: [...(summaries.shards as string[])] }
      : undefined;
  return index === undefined ? { devices } : { devices, summaries: index };
}

/** A summary shard as the fleet view reads it: untrusted input, each entry validated. */
export function shardContentOf(raw: unknown): ShardContent {
  const doc = isRecord(raw) ? raw : {};
  const problems: InvalidField[] = [];
  const identity = validateFleetSummaryDoc({ ...doc, devices: {} });
  problems.push(...identity.problems);
  const summaries: ShardContent["summaries"] = {};
  if (identity.value !== null && isRecord(doc.devices)) {
    for (const [deviceId, entry] of Object.entries(doc.devices)) {
      const summary = validateSummaryEntry(deviceId, entry, `devices.${deviceId}`, problems);
      if (summary !== undefined) summaries[deviceId] = summary;
    }
  }
  return { summaries, problems: problems.map((problem) => problem.message) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
