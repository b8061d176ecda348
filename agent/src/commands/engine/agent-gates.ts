import type { DocHandle } from "@automerge/automerge-repo";
import {
  type CommandId,
  type DeviceDoc,
  liveCommand,
  type Policy,
  type RunnableCommand,
} from "@outpost/shared-model";
import {
  compilePatterns,
  criticalOperationsGate,
  DEFAULT_CRITICAL_PATTERNS,
} from "../gates/critical-operations.js";
import { type DeviceGates, firstClosedGate } from "../gates/device-gates.js";
import { type GateResult, OPEN } from "../gates/gate-result.js";
import type { LoadGate } from "../gates/load-gate.js";
import { lockGate } from "../gates/locks.js";
import { maintenanceWindowGate } from "../gates/maintenance-window.js";
import type { CommandKind } from "../kinds/command-kind.js";

/** The device gates' verdict on one candidate, given the commands running now. */
export type GateCheck = (
  candidate: RunnableCommand,
  kind: CommandKind,
  running: ReadonlyMap<CommandId, unknown>,
) => GateResult | Promise<GateResult>;

/**
 * The device gates as the running agent evaluates them: policy from the DeviceDoc (window,
 * critical-process patterns), the load gate fed by the agent's ticks, the processes running when
 * the evaluation began, the locks of running commands, and one command at a time.
 */
export class AgentGates {
  readonly #device: DocHandle<DeviceDoc>;
  readonly #policy: () => Readonly<Policy>;
  readonly #load: LoadGate;
  readonly #now: () => number;
  readonly #timeZone: string;
  readonly #maxConcurrent: number;
  readonly #processNames: () => Promise<string[]>;

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

  /**
   * The gates for one evaluation of the queue. What does not depend on the candidate (the
   * process list, the window, the load, the policy's patterns) is read once here and at most once
   * per evaluation, so checking the 5,000 commands of a queue that all wait for the window costs
   * a map lookup each, not a time-zone conversion and a regex compile each.
   */
  prepare = async (): Promise<GateCheck> => {
    const policy = this.#policy();
    const at = this.#now();
    const matchers = compilePatterns([
      ...(DEFAULT_CRITICAL_PATTERNS[process.platform] ?? []),
      ...policy.criticalProcessPatterns,
    ]);
    const once = <T>(read: () => T): (() => T) => {
      let value: { read: T } | undefined;
      return () => {
        value ??= { read: read() };
        return value.read;
      };
    };
    // The window is judged at the time of the check, not of this evaluation's start: validating
    // and starting earlier candidates takes time, and a command must not start after its window
    // closed. Kept per minute of the clock, so a long queue still costs one conversion.
    let window: { minute: number; result: GateResult } | undefined;
    const outsideWindow = (): GateResult => {
      const now = this.#now();
      const minute = Math.floor(now / 60_000);
      if (window?.minute !== minute) {
        const result = maintenanceWindowGate({
          needsWindow: true,
          window: policy.maintenanceWindow,
          at: now,
          timeZone: this.#timeZone,
        });
        window = { minute, result };
      }
      return window.result;
    };
    const load = once(() => this.#load.check(at));
    // The process list only when a candidate gets past the window and the load: reading every
    // process's name each tick cost an idle agent whose queue waits for its window about 5 ms
    // of CPU a tick (100 processes), for a gate no command reached.
    let processes: Promise<GateResult> | undefined;
    let critical: GateResult | undefined;
    const criticalOperations = (): GateResult | Promise<GateResult> => {
      if (critical !== undefined) return critical;
      processes ??= this.#processNames()
        .catch(() => [])
        .then((names) => {
          critical = criticalOperationsGate(names, matchers);
          return critical;
        });
      return processes;
    };
    const gates: DeviceGates = {
      maintenanceWindow: (candidate, kind) =>
        kind.defaults.disruptive || candidate.command.spec.window === "maintenance"
          ? outsideWindow()
          : OPEN,
      load,
      criticalOperations,
      lock: (candidate, running) => lockGate(candidate.command.spec.lock, this.#heldLocks(running)),
      concurrency: (running) =>
        running.size < this.#maxConcurrent
          ? OPEN
          : {
              open: false,
              reason: "concurrency",
              detail: `${running.size} command(s) running; at most ${this.#maxConcurrent} at once`,
            },
    };
    return (candidate, kind, running) => firstClosedGate(gates, candidate, kind, running);
  };

  /** Each lock held by a running command, with the command. */
  #heldLocks(running: ReadonlyMap<CommandId, unknown>): Map<string, CommandId> {
    const held = new Map<string, CommandId>();
    for (const id of running.keys()) {
      const lock = liveCommand(this.#device.doc().commands, id)?.spec.lock;
      if (lock !== undefined) held.set(lock, id);
    }
    return held;
  }
}
