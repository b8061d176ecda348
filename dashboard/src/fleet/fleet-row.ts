import {
  type DeviceDoc,
  type DeviceSummary,
  type FleetDevice,
  FoldCache,
  type Health,
  healthOf,
  type LiveRollup,
  startOfDay,
  summarizeDevice,
} from "@outpost/shared-model";

/** One device as the fleet table shows it. */
export interface FleetRow {
  deviceId: string;
  /** `automerge:` URL of its DeviceDoc. */
  deviceDocUrl: string;
  hostname: string;
  /**
   * False until the row's facts are here: its DeviceDoc, or its entry in a summary shard (it may
   * be on its way from the relay).
   */
  loaded: boolean;
  /**
   * Where the facts come from: the FleetDoc alone, a summary shard, or the DeviceDoc this replica
   * holds (which wins: it has this admin's own changes at once, offline too).
   */
  source: "fleet" | "summary" | "device";
  /** The DeviceDoc could not be read: a malformed document from the network. */
  damaged?: string;
  health: Health;
  healthReasons: string[];
  /** Start of the newest UTC day this replica has telemetry for, epoch ms. */
  lastSampleDay?: number;
  /** The newest sample this replica holds, once its day document is loaded. */
  lastSampleAt?: number;
  pendingCommands: number;
  failedCommands: number;
  lifecycle: string;
  assignee: string;
  location: string;
  tags: string[];
  os: string;
  model: string;
  enrolledAt: number;
  /** When an admin revoked the device (FleetDoc): its token is refused, its connections closed. */
  revokedAt?: number;
}

/**
 * The fleet row of a device from its summary (a shard's entry, or {@link summarizeDevice} of its
 * DeviceDoc), or from the FleetDoc entry alone while neither is here.
 */
export function rowOfSummary(
  deviceId: string,
  entry: FleetDevice,
  summary: DeviceSummary | undefined,
  source: FleetRow["source"] = summary === undefined ? "fleet" : "summary",
): FleetRow {
  const row: FleetRow = {
    deviceId,
    deviceDocUrl: entry.deviceDocUrl,
    hostname: summary?.hostname || entry.hostname,
    loaded: summary !== undefined,
    source,
    health: summary?.health ?? "unknown",
    healthReasons: summary?.healthReasons ?? [],
    pendingCommands: summary?.pendingCommands ?? 0,
    failedCommands: summary?.failedCommands ?? 0,
    lifecycle: summary?.lifecycle ?? "",
    assignee: summary?.assignee ?? "",
    location: summary?.location ?? "",
    tags: summary?.tags ?? [],
    os: summary?.os ?? "",
    model: summary?.model ?? "",
    enrolledAt: entry.enrolledAt,
    // A number or nothing: the FleetDoc comes from the network like any document.
    ...(typeof entry.revokedAt === "number" ? { revokedAt: entry.revokedAt } : {}),
  };
  if (summary?.lastSampleDay !== undefined) row.lastSampleDay = startOfDay(summary.lastSampleDay);
  if (summary?.damaged !== undefined) row.damaged = summary.damaged;
  return row;
}

/**
 * The fleet row of a device from its DeviceDoc (the same {@link summarizeDevice} the relay writes
 * into the summary shards, so both say the same), worsened by today's rollup so far when its open
 * day is loaded (`live`); from the FleetDoc entry alone until the DeviceDoc is here.
 */
export function rowOf(
  deviceId: string,
  entry: FleetDevice,
  doc: DeviceDoc | undefined,
  folds: FoldCache = new FoldCache(),
  live?: LiveRollup,
): FleetRow {
  if (doc === undefined) return rowOfSummary(deviceId, entry, undefined);
  const summary = summarizeDevice(doc, folds);
  const row = rowOfSummary(deviceId, entry, summary, "device");
  if (live !== undefined && summary.damaged === undefined) {
    const verdict = healthOf(doc, live);
    row.health = verdict.health;
    row.healthReasons = verdict.reasons;
  }
  return row;
}
