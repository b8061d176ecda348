import { getHeads, isAutomerge } from "@automerge/automerge";
import { liveCommands } from "../commands/archived.js";
import { FoldCache } from "../commands/fold-cache.js";
import { isWaiting } from "../commands/state.js";
import type { DeviceDoc } from "../documents/device-doc.js";
import { type Day, isDay } from "../ids/ids.js";
import { messageOf } from "../util/message-of.js";
import { type Health, healthOf } from "./health.js";

/**
 * Everything the fleet view shows of a device that the FleetDoc does not say, computed from its
 * DeviceDoc alone (ARCHITECTURE.md, "Fleet summaries"). Small and flat: 10,000 of these sync in
 * about 40 shard documents, so the fleet is complete without loading 10,000 DeviceDocs.
 */
export interface DeviceSummary {
  health: Health;
  /** What made it warning or critical, for a person: `disk 96 % full`. */
  healthReasons: string[];
  /** The newest UTC day in the telemetry index. Absent while the device has sent none. */
  lastSampleDay?: Day;
  /** Commands waiting or running. */
  pendingCommands: number;
  /** Commands that ended without doing the work (see {@link FAILED_STATUSES}). */
  failedCommands: number;
  lifecycle: string;
  assignee: string;
  location: string;
  tags: string[];
  /** The inventory's hostname; empty before the first inventory (the FleetDoc's name is used). */
  hostname: string;
  /** `distro release`, empty before the first inventory. */
  os: string;
  /** `manufacturer model`, empty before the first inventory. */
  model: string;
  /**
   * The document could not be read (a malformed document from the network): why. Every other
   * field is then its empty value.
   */
  damaged?: string;
  /** The DeviceDoc's heads this summary was computed from (hex); empty for a plain object. */
  heads: string[];
}

/** Statuses that count as failed in the fleet view: ended without doing the work. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set([
  "failed",
  "interrupted",
  "blocked",
  "rejected",
  "expired",
]);

/**
 * The longest text a summary keeps, and the most tags. A device writes its own inventory and
 * nothing validates a DeviceDoc on its way to the relay: a megabyte "hostname" must not be copied
 * into a shard that every admin syncs. An inventory field may have 500 characters (the DeviceDoc
 * validation's limit), and `os` and `model` join two.
 */
export const SUMMARY_TEXT_MAX = 1_000;
const MAX_TAGS = 100;

function clip(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return text.length > SUMMARY_TEXT_MAX ? text.slice(0, SUMMARY_TEXT_MAX) : text;
}

/** The summary of a device nothing is known about yet (no DeviceDoc, or a damaged one). */
export function emptySummary(): DeviceSummary {
  return {
    health: "unknown",
    healthReasons: [],
    pendingCommands: 0,
    failedCommands: 0,
    lifecycle: "",
    assignee: "",
    location: "",
    tags: [],
    hostname: "",
    os: "",
    model: "",
    heads: [],
  };
}

/**
 * The fleet view's summary of a DeviceDoc: health from the newest closed day's rollup and the
 * inventory (no day document needed), pending and failed command counts from the pure fold, the
 * asset fields and the inventory's names. A pure function of the document: the relay that writes
 * the summary shards and the dashboard that reads a DeviceDoc itself compute the same thing, so a
 * summary never disagrees with its device's documents once both have synced. Never throws: a
 * document that cannot be read is summarized as `damaged` with the reason.
 *
 * `folds` remembers command states across calls (Automerge shares unchanged command objects
 * between snapshots, so the next summary of the same document folds only what changed).
 */
export function summarizeDevice(doc: DeviceDoc, folds: FoldCache = new FoldCache()): DeviceSummary {
  const heads = isAutomerge(doc) ? [...getHeads(doc)] : [];
  try {
    const verdict = healthOf(doc);
    let pendingCommands = 0;
    let failedCommands = 0;
    // Archived commands had ended long before: they are neither pending nor recent failures.
    for (const [, command] of liveCommands(doc.commands ?? {})) {
      const state = folds.stateOf(command);
      if (isWaiting(state) || state.status === "running") pendingCommands += 1;
      else if (FAILED_STATUSES.has(state.status)) failedCommands += 1;
    }
    // A key that is no day (a device writes its own index) says nothing about when it sampled.
    const days = Object.keys(doc.telemetry ?? {})
      .filter(isDay)
      .sort();
    const newestDay = days[days.length - 1];
    const inventory = doc.inventory;
    const summary: DeviceSummary = {
      health: verdict.health,
      healthReasons: verdict.reasons,
      pendingCommands,
      failedCommands,
      lifecycle: clip(doc.asset?.lifecycle),
      assignee: clip(doc.asset?.assignee),
      location: clip(doc.asset?.location),
      tags: Array.isArray(doc.asset?.tags)
        ? doc.asset.tags.slice(0, MAX_TAGS).map((tag) => clip(tag))
        : [],
      hostname: inventory ? clip(inventory.hostname) : "",
      os: inventory ? clip(`${inventory.os.distro} ${inventory.os.release}`.trim()) : "",
      model: inventory
        ? clip(`${inventory.hardware.manufacturer} ${inventory.hardware.model}`.trim())
        : "",
      heads,
    };
    // Absent, never undefined: Automerge refuses `undefined` values.
    if (newestDay !== undefined) summary.lastSampleDay = newestDay;
    return summary;
  } catch (error) {
    return { ...emptySummary(), damaged: messageOf(error), heads };
  }
}
