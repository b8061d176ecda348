import type { ArchiveMonth, StoredCommandEntry } from "../commands/archived.js";
import type { CommandId, Day, DeviceId } from "../ids/ids.js";
import type { MetricRollup } from "../telemetry/rollup.js";
import type { AdminKeyCertificate } from "../trust/certificates.js";

/**
 * The schema version this code writes and reads for {@link DeviceDoc}. Version 2 keeps the policy
 * as signed registers (see {@link PolicyRecord}); a version-1 document's plain policy values are
 * read as unset, since no admin signed them.
 */
export const DEVICE_DOC_SCHEMA = 2;
/** Older versions this code still reads. */
export const READABLE_DEVICE_DOC_SCHEMAS: readonly number[] = [1, DEVICE_DOC_SCHEMA];

/** Lifecycle of the physical asset, edited by admins. */
export const LIFECYCLES = ["ordered", "deployed", "in-repair", "lost", "retired"] as const;
/** One of {@link LIFECYCLES}. */
export type Lifecycle = (typeof LIFECYCLES)[number];

/** What admins record about the physical asset. */
export interface Asset {
  assignee: string;
  lifecycle: Lifecycle;
  location: string;
  tags: string[];
  notes: string;
  /** Who last edited the record (`admin:<name>`). */
  updatedBy?: string;
  /** When, by the editor's clock (epoch ms). */
  updatedAt?: number;
}

/** A daily time window in device local time, `HH:MM`; `end` before `start` crosses midnight. */
export interface TimeWindow {
  start: string;
  end: string;
}

/** Load thresholds under which the agent may start a command (sustained, with hysteresis). */
export interface LoadThresholds {
  /** CPU busy, percent. */
  cpuPercent: number;
  /** Memory used, percent. */
  memoryPercent: number;
  /** Disk busy, percent of time. */
  diskBusyPercent: number;
  /** How long the load must stay under the thresholds, seconds. */
  sustainedS: number;
}

/** The rules the agent applies on the device: each setting's value. */
export interface Policy {
  /** Telemetry sampling interval, seconds. */
  samplingIntervalS: number;
  maintenanceWindow: TimeWindow;
  load: LoadThresholds;
  /** Process-name patterns (case-insensitive regular expressions) of critical operations. */
  criticalProcessPatterns: string[];
  /** Whether `shell.run` commands are allowed on this device. */
  allowShell: boolean;
  /** Days a closed, relay-acknowledged day document stays on the device. */
  retainDays: number;
}

/** The policy's settings (the same as {@link Policy}; the name says "values an admin may set"). */
export type PolicySettings = Policy;

/**
 * One setting as an admin set it: a last-writer-wins register, replaced whole, like a command's
 * priority. Two admins who set different settings offline both keep theirs; for the same setting
 * one wins and Automerge keeps the other as a conflict.
 */
export interface PolicyRegister<T> {
  value: T;
  /** `admin:<name>`. */
  setBy: string;
  /** When, by the admin's clock (epoch ms). */
  setAt: number;
  /** `setBy`'s signature over the setting's name, value, `setBy` and `setAt`, for this device. */
  signature?: string;
}

/**
 * The policy as the DeviceDoc holds it: the settings admins have set. A setting nobody set is
 * absent, and the agent uses its own value (its config file's, else the default).
 */
export type PolicyRecord = { [K in keyof PolicySettings]?: PolicyRegister<PolicySettings[K]> };

/** Inventory as collected by the agent; replaced only when something differs. */
export interface Inventory {
  collectedAt: number;
  hostname: string;
  os: { platform: string; distro: string; release: string; arch: string; kernel: string };
  hardware: {
    manufacturer: string;
    model: string;
    serial: string;
    cpu: string;
    cores: number;
    memoryMiB: number;
  };
  disks: { name: string; type: string; sizeGiB: number; health?: string }[];
  nics: { name: string; mac: string; ipv4: string[]; speedMbps?: number }[];
  software: { count: number; sample: { name: string; version: string }[] };
}

/** The device document's index entry for one telemetry day. */
export interface TelemetryIndexEntry {
  /** `automerge:` URL of the {@link TelemetryDayDoc}. */
  url: string;
  samples: number;
  /** Per-metric min/avg/max of the closed day; absent while the day is open. */
  rollup?: Record<string, MetricRollup>;
}

/** The device document's index entry for one month's archive of finished commands. */
export interface CommandArchiveIndexEntry {
  /** `automerge:` URL of the {@link CommandArchiveDoc}. */
  url: string;
  /** How many commands it holds. */
  commands: number;
}

/** One per device: inventory, asset, policy, telemetry index and the command queue. */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type DeviceDoc = {
  schema: typeof DEVICE_DOC_SCHEMA;
  deviceId: DeviceId;
  inventory: Inventory | null;
  asset: Asset;
  policy: PolicyRecord;
  telemetry: Record<Day, TelemetryIndexEntry>;
  /** Live commands, and what stays of archived ones (see {@link CommandEntry}). */
  commands: Record<CommandId, StoredCommandEntry>;
  /**
   * The agent's archive documents of finished commands, one per UTC month it archived in (absent
   * in documents from before archiving). Written by the agent alone.
   */
  commandArchives?: Record<ArchiveMonth, CommandArchiveIndexEntry>;
  /**
   * Certificates of the admin keys that signed something in this document, by key ID, written
   * with the first item each key signs here: a signature can be checked from the document alone
   * (the root's signature on the certificate is what makes it trusted, not who wrote it here).
   */
  signers: Record<string, AdminKeyCertificate>;
};
