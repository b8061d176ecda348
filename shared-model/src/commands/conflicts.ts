import type { Doc } from "@automerge/automerge";
import { getConflicts } from "@automerge/automerge";
import type { CommandId } from "../ids/ids.js";
import { compareCodeUnits } from "../util/compare-code-units.js";
import { priorityRegisterSchema } from "../validation/command-schemas.js";
import type { CommandEntry } from "./archived.js";
import type { WithCommands } from "./command.js";
import type { PriorityRegister } from "./spec.js";

/**
 * Every value of a command's priority that concurrent admins wrote and Automerge holds, the
 * visible winner included; one value when there is no conflict. Sorted for a stable display.
 */
export function priorityConflicts(doc: Doc<WithCommands>, id: CommandId): PriorityRegister[] {
  const command = doc.commands[id];
  if (command === undefined) return [];
  const conflicts = getConflicts(command as Doc<CommandEntry>, "priority");
  if (conflicts === undefined) return command.priority === undefined ? [] : [command.priority];
  // Conflicting values come from other replicas: check each, keep the well-formed ones.
  return Object.values(conflicts)
    .flatMap((value) => {
      const parsed = priorityRegisterSchema.safeParse(value);
      return parsed.success ? [parsed.data] : [];
    })
    .sort((a, b) => a.setAt - b.setAt || compareCodeUnits(a.setBy, b.setBy) || a.value - b.value);
}
