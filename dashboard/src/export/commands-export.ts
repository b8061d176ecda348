import {
  type Command,
  type DeviceDoc,
  FoldCache,
  liveCommands,
  type ValidCommandArchive,
} from "@outpost/shared-model";
import { isoTime } from "../ui/format.js";
import type { TableExport } from "./table-export.js";

/** The finishing fact's time, when the command has one. */
function endedAt(state: ReturnType<FoldCache["stateOf"]>): number | undefined {
  return "at" in state && typeof state.at === "number" ? state.at : undefined;
}

/**
 * A device's commands with their state now: one row per command, oldest first. With `archives`
 * (the device's archive documents the admin chose to include), archived commands too, each as its
 * archive holds it, their `archived` column naming the month.
 */
export function commandsExport(
  deviceId: string,
  doc: DeviceDoc,
  archives: readonly ValidCommandArchive[] = [],
): TableExport {
  const folds = new FoldCache();
  const rows: { command: Command; archived: string }[] = liveCommands(doc.commands).map(
    ([, command]) => ({ command, archived: "" }),
  );
  const live = new Set(rows.map((row) => row.command.spec.id));
  for (const archive of archives) {
    for (const record of Object.values(archive.commands)) {
      // A command written back live after archiving shows once, as it is now.
      if (!live.has(record.command.spec.id))
        rows.push({ command: record.command, archived: archive.month });
    }
  }
  rows.sort(
    (a, b) =>
      a.command.spec.createdAt - b.command.spec.createdAt ||
      (a.command.spec.id < b.command.spec.id ? -1 : 1),
  );
  const keys = [
    "deviceId",
    "commandId",
    "kind",
    "args",
    "priority",
    "createdBy",
    "createdAt",
    "status",
    "reason",
    "attempts",
    "exitCode",
    "endedAt",
    "events",
    "archived",
  ];
  return {
    kind: "commands",
    keys,
    header: keys.map((key) => (key === "createdAt" || key === "endedAt" ? `${key} (UTC)` : key)),
    rowCount: rows.length,
    *rows() {
      for (const { command, archived } of rows) {
        const state = folds.stateOf(command);
        const reason = "reason" in state ? String(state.reason) : "";
        const exitCode = "outcome" in state ? state.outcome.exitCode : null;
        yield [
          deviceId,
          command.spec.id,
          command.spec.kind,
          JSON.stringify(command.spec.args),
          command.priority.value,
          command.spec.createdBy,
          isoTime(command.spec.createdAt),
          state.status,
          reason,
          state.attempts,
          exitCode,
          isoTime(endedAt(state)),
          command.events.length,
          archived,
        ];
      }
    },
  };
}
