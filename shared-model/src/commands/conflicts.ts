import type { Doc } from "@automerge/automerge";
import { getConflicts } from "@automerge/automerge";
import { toPlain } from "../documents/stored-strings.js";
import type { CommandId } from "../ids/ids.js";
import { compareCodeUnits } from "../util/compare-code-units.js";
import { priorityRegisterSchema } from "../validation/command-schemas.js";
import { plainEntry, type StoredCommandEntry } from "./archived.js";
import type { WithCommands } from "./command.js";
import type { PriorityRegister } from "./spec.js";

/**
 * Every value of a command's priority that concurrent admins wrote and Automerge holds, the
 * visible winner included; one value when there is no conflict. Sorted for a stable display.
 */
export function priorityConflicts(doc: Doc<WithCommands>, id: CommandId): PriorityRegister[] {
  const stored = doc.commands[id];
  if (stored === undefined) return [];
  const conflicts = getConflicts(stored as Doc<StoredCommandEntry>, "priority");
  if (conflicts === undefined) {
    const { priority } = plainEntry(stored);
    return priority === undefined ? [] : [priority];
  }
  // Conflicting values come from other replicas: check each, keep the well-formed ones.
  return Object.values(conflicts)
    .flatMap((value) => {
      const parsed = priorityRegisterSchema.safeParse(toPlain<unknown>(value));
      return parsed.success ? [parsed.data] : [];
    })
    .sort((a, b) => a.setAt - b.setAt || compareCodeUnits(a.setBy, b.setBy) || a.value - b.value);
}
