import type { FleetSummaryDoc } from "../documents/fleet-summary-doc.js";
import { toPlain, toStored } from "../documents/stored-strings.js";
import type { DeviceId } from "../ids/ids.js";
import type { DeviceSummary } from "./device-summary.js";

/** The fields that make a summary different; `heads` only says which state it came from. */
const COMPARED: readonly Exclude<keyof DeviceSummary, "heads">[] = [
  "health",
  "healthReasons",
  "lastSampleDay",
  "pendingCommands",
  "failedCommands",
  "lifecycle",
  "assignee",
  "location",
  "tags",
  "hostname",
  "os",
  "model",
  "damaged",
];

/**
 * True when `a` and `b` show the same thing: every field but `heads` equal. A DeviceDoc change
 * the fleet view does not show (a `deferred` fact, a policy edit) leaves its summary the same.
 */
export function sameSummary(a: DeviceSummary, b: DeviceSummary): boolean {
  return COMPARED.every((field) => sameValue(a[field], b[field]));
}

/**
 * Writes `summary` as `deviceId`'s entry inside a change of a summary shard, touching only the
 * fields that differ (a whole new entry for a new device), so the shard's history grows by what
 * changed and not by the entry. Returns false, writing nothing, when the entry shows the same
 * already: callers write only summaries that changed, and never on a sample. Strings are written
 * as `ImmutableString` scalars, one operation each (docs/ARCHITECTURE.md, "Strings in documents").
 */
export function writeSummary(
  shard: FleetSummaryDoc,
  deviceId: DeviceId,
  summary: DeviceSummary,
): boolean {
  const entry = shard.devices[deviceId];
  if (entry === undefined) {
    shard.devices[deviceId] = toStored(summary);
    return true;
  }
  // Entries written before strings were stored as scalars hold text; both read alike.
  const current = toPlain<DeviceSummary>(entry);
  if (sameSummary(current, summary)) return false;
  const target = entry as unknown as Record<string, unknown>;
  for (const field of COMPARED) {
    const next = summary[field];
    if (sameValue(current[field], next)) continue;
    if (next === undefined) delete target[field];
    else target[field] = toStored(next);
  }
  entry.heads = toStored(summary.heads);
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => item === b[index]);
  }
  return a === b;
}
