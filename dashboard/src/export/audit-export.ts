import type { AuditEntry } from "@outpost/shared-model";
import { isoTime } from "../ui/format.js";
import type { TableExport } from "./table-export.js";

/** A device's audit trail: one row per entry, oldest first. */
export function auditExport(deviceId: string, entries: readonly AuditEntry[]): TableExport {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  return {
    kind: "audit",
    keys: ["deviceId", "at", "actor", "action", "detail"],
    header: ["device", "at (UTC)", "actor", "action", "detail"],
    rowCount: sorted.length,
    *rows() {
      for (const entry of sorted)
        yield [deviceId, isoTime(entry.at), entry.actor, entry.action, entry.detail];
    },
  };
}
