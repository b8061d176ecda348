import type { Logger } from "@outpost/shared-model";
import { isAutomergeFailure } from "./sync/automerge-work.js";

/**
 * A stray rejection (a library's promise nobody awaits; the known one from automerge-repo is
 * patched, see patches/README.md) is logged and the relay keeps serving everyone else; an uncaught exception (Automerge's heap
 * out of memory, a bug) may have left state half-changed, so it is logged and the process exits
 * for its supervisor to restart it on the crash-safe data folder. `relay serve` installs this;
 * so should anything else that runs a relay as its process's main work.
 */
export function handleProcessFailures(logger: Logger): {
  /** Runs `hook` (e.g. recording crash suspects) before the process exits on a fatal failure. */
  beforeFatalExit(hook: (error: unknown) => void): void;
} {
  let beforeExit: (error: unknown) => void = () => {};
  const fatal = (error: unknown) => {
    logger.error({ err: error }, `fatal: ${describe(error)}; exiting`);
    try {
      beforeExit(error);
    } finally {
      process.exit(70); // EX_SOFTWARE
    }
  };
  process.on("unhandledRejection", (reason) => {
    // Automerge failing (its heap out of memory) poisons its module for every later call.
    if (isAutomergeFailure(reason)) return fatal(reason);
    logger.error({ err: reason }, `unhandled rejection, relay keeps serving: ${describe(reason)}`);
  });
  process.on("uncaughtException", fatal);
  return {
    beforeFatalExit(hook) {
      beforeExit = hook;
    },
  };
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
