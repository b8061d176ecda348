import { type DeviceDoc, fold, isArchived, plainCommands } from "@outpost/shared-model";

/**
 * How many commands stand in each status (most first; archived ones as `archived`), and the runs
 * they have started in all (an archived one counts one run when it ran; its mark says no more).
 */
export function statusCounts(doc: Pick<DeviceDoc, "commands">): {
  byStatus: Record<string, number>;
  attempts: number;
} {
  const counts = new Map<string, number>();
  let attempts = 0;
  for (const command of Object.values(plainCommands(doc.commands))) {
    if (isArchived(command)) {
      counts.set("archived", (counts.get("archived") ?? 0) + 1);
      attempts += command.archived.started ? 1 : 0;
      continue;
    }
    const state = fold(command.spec, command.events);
    counts.set(state.status, (counts.get(state.status) ?? 0) + 1);
    attempts += state.attempts;
  }
  const byStatus = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
  return { byStatus, attempts };
}
