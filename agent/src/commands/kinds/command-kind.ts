import type { CommandArgValue, Policy, RunOutcome } from "@outpost/shared-model";
import type { ProcessRun, RunOptions } from "../execution/run-process.js";

/** How the agent controls the machine itself; a fake in tests (no test reboots the runner). */
export interface SystemControl {
  restartService(name: string): Promise<ProcessRun>;
  reboot(): Promise<ProcessRun>;
}

/** What a command kind may use; injected, so the contract suite runs every kind offline. */
export interface KindContext {
  policy: Policy;
  /** The agent's scripts folder; `script.run` runs only files from here. */
  scriptsFolder: string;
  system: SystemControl;
  runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessRun>;
  /** Re-reads the inventory and records it in the DeviceDoc if it changed; says whether it did. */
  refreshInventory(): Promise<{ changed: boolean }>;
}

/**
 * A command kind plugin (ARCHITECTURE.md, "Commands"): one folder under `kinds/`, listed in
 * `kinds/all.ts`.
 */
export interface CommandKind {
  /** Dotted name as admins enqueue it, e.g. `script.run`. */
  readonly name: string;
  readonly defaults: {
    timeoutS: number;
    /** Safe to run again after an interrupted attempt (ARCHITECTURE.md, "Gates and defaults"). */
    idempotent: boolean;
    /** A cancel while it runs stops it; otherwise the cancel is answered `cancel-too-late`. */
    interruptible: boolean;
    /** Runs only inside the maintenance window, whatever the command's own `window`. */
    disruptive: boolean;
  };
  /**
   * What is wrong with `args` on this device (the command is then `rejected` with it), or
   * `undefined`. Never throws: args come from the network.
   */
  validate(
    args: Readonly<Record<string, CommandArgValue>>,
    context: KindContext,
  ): Promise<string | undefined>;
  /** Runs the command; `signal` aborts an interruptible kind. Never throws. */
  run(
    args: Readonly<Record<string, CommandArgValue>>,
    context: KindContext,
    signal: AbortSignal,
  ): Promise<RunOutcome>;
}

/** A finished process as a command outcome. */
export function outcomeOf(run: ProcessRun): RunOutcome {
  const outcome: RunOutcome = { exitCode: run.exitCode, durationMs: run.durationMs };
  if (run.stdout) outcome.stdout = run.stdout;
  if (run.stderr) outcome.stderr = run.stderr;
  if (run.error) outcome.error = run.error;
  return outcome;
}

/** Reads a string argument, or says what is wrong with it. */
export function stringArg(
  args: Readonly<Record<string, CommandArgValue>>,
  key: string,
  pattern?: RegExp,
): { value: string } | { problem: string } {
  const value = args[key];
  if (typeof value !== "string" || value === "")
    return { problem: `args.${key}: expected a non-empty string` };
  if (pattern && !pattern.test(value))
    return { problem: `args.${key}: ${JSON.stringify(value)} does not match ${pattern}` };
  return { value };
}
