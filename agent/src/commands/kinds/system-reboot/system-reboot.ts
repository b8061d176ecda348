import type { CommandKind } from "../command-kind.js";
import { outcomeOf } from "../command-kind.js";

/** `system.reboot`: disruptive, so only inside the maintenance window; never run twice. */
export const systemRebootKind: CommandKind = {
  name: "system.reboot",
  defaults: { timeoutS: 120, idempotent: false, interruptible: false, disruptive: true },
  validate: async (args) =>
    Object.keys(args).length === 0
      ? undefined
      : `args: expected none, got ${Object.keys(args).join(", ")}`,
  run: async (_args, context) => outcomeOf(await context.system.reboot()),
};
