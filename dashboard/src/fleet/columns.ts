import { HEALTH_ORDER } from "@outpost/shared-model";
import { formatAge, formatTime, isoTime } from "../ui/format.js";
import type { FleetRow } from "./fleet-row.js";

/** What the table and the CSV export know about a row at a given moment. */
export interface RowContext {
  now: number;
  isOnline: (deviceId: string) => boolean;
}

/** One column of the fleet table: its header, what it shows, how it sorts and exports. */
export interface FleetColumn {
  id: string;
  label: string;
  /** Shown on narrow screens too. */
  essential?: boolean;
  text(row: FleetRow, context: RowContext): string;
  /** Sort key; by `text` when absent. */
  sortKey?(row: FleetRow, context: RowContext): number | string;
  /** Exported value; by `text` when absent. */
  csv?(row: FleetRow, context: RowContext): string | number | boolean;
}

/** When the replica last heard from the device: its newest sample, else its newest day. */
export function lastSampleOf(row: FleetRow): number | undefined {
  return row.lastSampleAt ?? row.lastSampleDay;
}

/** Every column, in display order. */
export const FLEET_COLUMNS: readonly FleetColumn[] = [
  {
    id: "hostname",
    label: "Device",
    essential: true,
    text: (row) => row.hostname || row.deviceId,
    csv: (row) => row.hostname,
  },
  { id: "deviceId", label: "Device ID", text: (row) => row.deviceId },
  {
    id: "health",
    label: "Health",
    essential: true,
    text: (row) => (row.damaged ? "damaged" : row.health),
    sortKey: (row) => HEALTH_ORDER.indexOf(row.health),
  },
  {
    id: "online",
    label: "Online",
    essential: true,
    text: (row, context) => (context.isOnline(row.deviceId) ? "online" : "offline"),
    csv: (row, context) => context.isOnline(row.deviceId),
  },
  {
    id: "lastSample",
    label: "Last sample",
    text: (row) =>
      row.lastSampleAt !== undefined
        ? formatTime(row.lastSampleAt)
        : row.lastSampleDay !== undefined
          ? formatTime(row.lastSampleDay).slice(0, 10)
          : "—",
    sortKey: (row) => lastSampleOf(row) ?? 0,
    csv: (row) => isoTime(lastSampleOf(row)),
  },
  {
    id: "sinceSync",
    label: "Since sync",
    text: (row, context) => {
      if (context.isOnline(row.deviceId)) return "live";
      const last = lastSampleOf(row);
      return last === undefined ? "never" : formatAge(context.now - last);
    },
    sortKey: (row, context) =>
      context.isOnline(row.deviceId) ? 0 : context.now - (lastSampleOf(row) ?? 0),
    csv: (row, context) => {
      const last = lastSampleOf(row);
      if (context.isOnline(row.deviceId)) return 0;
      return last === undefined ? "" : Math.round((context.now - last) / 1000);
    },
  },
  {
    id: "pending",
    label: "Pending",
    essential: true,
    text: (row) => String(row.pendingCommands),
    sortKey: (row) => row.pendingCommands,
    csv: (row) => row.pendingCommands,
  },
  {
    id: "failed",
    label: "Failed",
    essential: true,
    text: (row) => String(row.failedCommands),
    sortKey: (row) => row.failedCommands,
    csv: (row) => row.failedCommands,
  },
  {
    id: "lifecycle",
    label: "Lifecycle",
    text: (row) => row.lifecycle || "—",
    csv: (row) => row.lifecycle,
  },
  {
    id: "assignee",
    label: "Assignee",
    text: (row) => row.assignee || "—",
    csv: (row) => row.assignee,
  },
  {
    id: "location",
    label: "Location",
    text: (row) => row.location || "—",
    csv: (row) => row.location,
  },
  {
    id: "revoked",
    label: "Revoked",
    text: (row) => (row.revokedAt === undefined ? "—" : formatTime(row.revokedAt)),
    sortKey: (row) => row.revokedAt ?? 0,
    csv: (row) => isoTime(row.revokedAt),
  },
  { id: "model", label: "Model", text: (row) => row.model || "—", csv: (row) => row.model },
  { id: "os", label: "OS", text: (row) => row.os || "—", csv: (row) => row.os },
];

/** Columns shown until the admin picks others. */
export const DEFAULT_VISIBLE = [
  "hostname",
  "health",
  "online",
  "lastSample",
  "sinceSync",
  "pending",
  "failed",
  "lifecycle",
  "assignee",
] as const;
