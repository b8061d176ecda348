import type { Health } from "@outpost/shared-model";
import { FLEET_COLUMNS, type FleetColumn, type RowContext } from "./columns.js";
import type { FleetRow } from "./fleet-row.js";

/** What the admin asked the fleet table for. */
export interface FleetQuery {
  search: string;
  health: Health | "any";
  online: "any" | "online" | "offline";
  lifecycle: string;
  /** Revoked devices (their token refused), the others, or both. */
  access: "any" | "active" | "revoked";
  failedOnly: boolean;
  sort: { column: string; descending: boolean };
}

/** The table's starting point: everything, by device name. */
export const DEFAULT_QUERY: FleetQuery = {
  search: "",
  health: "any",
  online: "any",
  lifecycle: "any",
  access: "any",
  failedOnly: false,
  sort: { column: "hostname", descending: false },
};

/**
 * The rows the query selects, sorted. Search matches every word, case-insensitively, against
 * the device's name, ID, assignee, location, tags, model and OS. Ties sort by device ID so the
 * order is stable whatever the input order.
 */
export function queryFleet(
  rows: readonly FleetRow[],
  query: FleetQuery,
  context: RowContext,
): FleetRow[] {
  const words = query.search.toLowerCase().split(/\s+/).filter(Boolean);
  const selected = rows.filter((row) => {
    if (query.health !== "any" && row.health !== query.health) return false;
    if (query.lifecycle !== "any" && row.lifecycle !== query.lifecycle) return false;
    if (query.failedOnly && row.failedCommands === 0) return false;
    if (query.access !== "any" && (row.revokedAt !== undefined) !== (query.access === "revoked"))
      return false;
    if (query.online !== "any" && context.isOnline(row.deviceId) !== (query.online === "online"))
      return false;
    if (words.length === 0) return true;
    const haystack = [
      row.hostname,
      row.deviceId,
      row.assignee,
      row.location,
      row.model,
      row.os,
      ...row.tags,
    ]
      .join(" ")
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  const column = columnById(query.sort.column);
  const keyOf = (row: FleetRow) =>
    column.sortKey ? column.sortKey(row, context) : column.text(row, context).toLowerCase();
  const keyed = selected.map((row) => ({ row, key: keyOf(row) }));
  const direction = query.sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    const order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return order * direction || (a.row.deviceId < b.row.deviceId ? -1 : 1);
  });
  return keyed.map(({ row }) => row);
}

/** The column with `id`; the device column for an unknown one (an old saved choice). */
export function columnById(id: string): FleetColumn {
  return FLEET_COLUMNS.find((column) => column.id === id) ?? (FLEET_COLUMNS[0] as FleetColumn);
}
