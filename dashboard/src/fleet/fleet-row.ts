import {
  type CommandState,
  type DeviceDoc,
  type FleetDevice,
  FoldCache,
  isWaiting,
  liveCommands,
  messageOf,
  startOfDay,
} from "@outpost/shared-model";
import { type Health, healthOf, type LiveRollup } from "./health.js";

/** One device as the fleet table shows it. */
export interface FleetRow {
  deviceId: string;
  /** `automerge:` URL of its DeviceDoc. */
  deviceDocUrl: string;
  hostname: string;
  /** False until the DeviceDoc is in this replica (it may be on its way from the relay). */
  loaded: boolean;
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

/** Statuses that count as failed in the fleet view: ended without doing the work. */
const FAILED = new Set(["failed", "interrupted", "blocked", "rejected", "expired"]);

/** The fleet row of a device: from the FleetDoc entry alone until its DeviceDoc is here. */
export function rowOf(
  deviceId: string,
  entry: FleetDevice,
  doc: DeviceDoc | undefined,
  folds: FoldCache = new FoldCache(),
  live?: LiveRollup,
): FleetRow {
  const base: FleetRow = {
    deviceId,
    deviceDocUrl: entry.deviceDocUrl,
    hostname: entry.hostname,
    loaded: false,
    health: "unknown",
    healthReasons: [],
    pendingCommands: 0,
    failedCommands: 0,
    lifecycle: "",
    assignee: "",
    location: "",
    tags: [],
    os: "",
    model: "",
    enrolledAt: entry.enrolledAt,
    // A number or nothing: the FleetDoc comes from the network like any document.
    ...(typeof entry.revokedAt === "number" ? { revokedAt: entry.revokedAt } : {}),
  };
  if (doc === undefined) return base;
  try {
    const verdict = healthOf(doc, live);
    let pendingCommands = 0;
    let failedCommands = 0;
    // Archived commands had ended long before: they are neither pending nor recent failures.
    for (const [, command] of liveCommands(doc.commands ?? {})) {
      const state: CommandState = folds.stateOf(command);
      if (isWaiting(state) || state.status === "running") pendingCommands += 1;
      else if (FAILED.has(state.status)) failedCommands += 1;
    }
    const days = Object.keys(doc.telemetry ?? {}).sort();
    const newestDay = days[days.length - 1];
    const inventory = doc.inventory;
    return {
      ...base,
      hostname: inventory?.hostname || entry.hostname,
      loaded: true,
      health: verdict.health,
      healthReasons: verdict.reasons,
      lastSampleDay: newestDay
        ? startOfDay(newestDay as Parameters<typeof startOfDay>[0])
        : undefined,
      pendingCommands,
      failedCommands,
      lifecycle: String(doc.asset?.lifecycle ?? ""),
      assignee: String(doc.asset?.assignee ?? ""),
      location: String(doc.asset?.location ?? ""),
      tags: Array.isArray(doc.asset?.tags) ? doc.asset.tags.map(String) : [],
      os: inventory ? `${inventory.os.distro} ${inventory.os.release}`.trim() : "",
      model: inventory
        ? `${inventory.hardware.manufacturer} ${inventory.hardware.model}`.trim()
        : "",
    };
  } catch (error) {
    return { ...base, loaded: true, damaged: messageOf(error) };
  }
}
