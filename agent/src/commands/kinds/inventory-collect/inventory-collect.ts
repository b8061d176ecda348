import { messageOf } from "@outpost/shared-model";
import type { CommandKind } from "../command-kind.js";

/** `inventory.collect`: read the inventory now (instead of at the next hourly check). */
export const inventoryCollectKind: CommandKind = {
  name: "inventory.collect",
  defaults: { timeoutS: 120, idempotent: true, interruptible: true, disruptive: false },
  validate: async (args) =>
    Object.keys(args).length === 0
      ? undefined
      : `args: expected none, got ${Object.keys(args).join(", ")}`,
  run: async (_args, context) => {
    const started = performance.now();
    try {
      const { changed } = await context.refreshInventory();
      return {
        exitCode: 0,
        durationMs: Math.round(performance.now() - started),
        stdout: changed ? "inventory changed; recorded" : "inventory unchanged",
      };
    } catch (error) {
      return {
        exitCode: 1,
        durationMs: Math.round(performance.now() - started),
        error: messageOf(error),
      };
    }
  },
};
