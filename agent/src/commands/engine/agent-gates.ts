import type { DocHandle } from "@automerge/automerge-repo";
import type { CommandId, DeviceDoc, Policy, RunnableCommand } from "@outpost/shared-model";
import {
  compilePatterns,
  criticalOperationsGate,
  DEFAULT_CRITICAL_PATTERNS,
} from "../gates/critical-operations.js";
import { firstClosedGate } from "../gates/device-gates.js";
import { type GateResult, OPEN } from "../gates/gate-result.js";
import type { LoadGate } from "../gates/load-gate.js";
import { lockGate } from "../gates/locks.js";
import { maintenanceWindowGate } from "../gates/maintenance-window.js";
import type { CommandKind } from "../kinds/command-kind.js";

/**
 * The device gates as the running agent evaluates them: policy from the DeviceDoc (window,
 * critical-process patterns), the load gate fed by the agent's ticks, the processes seen at the
 * last refresh, the locks of running commands, and one command at a time.
 */
export class AgentGates {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #policy: () => Readonly<Policy>;
  readonly #load: LoadGate;
  readonly #now: () => number;
  readonly #timeZone: string;
  readonly #maxConcurrent: number;
  readonly #processNames: () => Promise<string[]>;
  #running: string[] = [];

  constructor(options: {
    device: DocHandle<DeviceDoc>;
    /** The policy in force, validated. */
    policy: () => Readonly<Policy>;
    load: LoadGate;
    now: () => number;
    processNames: () => Promise<string[]>;
    timeZone?: string;
    maxConcurrent?: number;
  }) {
    this.#device = options.device;
    this.#policy = options.policy;
    this.#load = options.load;
    this.#now = options.now;
    this.#processNames = options.processNames;
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#maxConcurrent = options.maxConcurrent ?? 1;
  }

  /** Re-reads the process list (before an evaluation). */
  async refresh(): Promise<void> {
    this.#running = await this.#processNames().catch(() => []);
  }

  /** The first closed gate for `candidate`, or open. */
  check = (
    candidate: RunnableCommand,
    kind: CommandKind,
    running: ReadonlyMap<CommandId, unknown>,
  ): GateResult => {
    const policy = this.#policy();
    const matchers = compilePatterns([
      ...(DEFAULT_CRITICAL_PATTERNS[process.platform] ?? []),
      ...policy.criticalProcessPatterns,
    ]);
    return firstClosedGate(
      {
        maintenanceWindow: () =>
          maintenanceWindowGate({
            needsWindow:
              kind.defaults.disruptive || candidate.command.spec.window === "maintenance",
            window: policy.maintenanceWindow,
            at: this.#now(),
            timeZone: this.#timeZone,
          }),
        load: () => this.#load.check(this.#now()),
        criticalOperations: () => criticalOperationsGate(this.#running, matchers),
        lock: () => {
          const held = new Map<string, CommandId>();
          for (const id of running.keys()) {
            const lock = this.#device.doc().commands[id]?.spec.lock;
            if (lock !== undefined) held.set(lock, id);
          }
          return lockGate(candidate.command.spec.lock, held);
        },
        concurrency: () =>
          running.size < this.#maxConcurrent
            ? OPEN
            : {
                open: false,
                reason: "concurrency",
                detail: `${running.size} command(s) running; at most ${this.#maxConcurrent} at once`,
              },
      },
      candidate,
    );
  };
}
