import { type DeviceDoc, FoldCache, liveCommands } from "@outpost/shared-model";
import { isoTime } from "../ui/format.js";
import type { TableExport } from "./table-export.js";

/** The finishing fact's time, when the command has one. */
function endedAt(state: ReturnType<FoldCache["stateOf"]>): number | undefined {
  return "at" in state && typeof state.at === "number" ? state.at : undefined;
}

/** A device's commands with their state now: one row per command, oldest first. */
export function commandsExport(deviceId: string, doc: DeviceDoc): TableExport {
  const folds = new FoldCache();
  const commands = liveCommands(doc.commands)
    .map(([, command]) => command)
    .sort((a, b) => a.spec.createdAt - b.spec.createdAt || (a.spec.id < b.spec.id ? -1 : 1));
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
  ];
  return {
    kind: "commands",
    keys,
    header: keys.map((key) => (key === "createdAt" || key === "endedAt" ? `${key} (UTC)` : key)),
    rowCount: commands.length,
    *rows() {
      for (const command of commands) {
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
        ];
      }
    },
  };
}
