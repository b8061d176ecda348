import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type {
  AuditEntry,
  DeviceDoc,
  DeviceId,
  Logger,
  Policy,
  Sample,
} from "@outpost/shared-model";
import { actorOf, isArchived, messageOf } from "@outpost/shared-model";
import type { AgentStateStore } from "../../state/agent-state.js";
import type { TrustSource } from "../../trust/trust-status.js";
import { ArchiveRecord } from "../archive/archive-record.js";
import { CommandArchiver } from "../archive/command-archiver.js";
import { type LoadSource, LoadWatch } from "../execution/load-watch.js";
import { ProcessGroupTracker } from "../execution/process-group-tracker.js";
import { linuxProcesses, systemProcessNames } from "../gates/critical-operations.js";
import { LinuxLoadSource } from "../gates/linux-load-source.js";
import { LoadGate, type LoadReading } from "../gates/load-gate.js";
import type { CommandKind, SystemControl } from "../kinds/command-kind.js";
import { AgentGates } from "./agent-gates.js";
import { CommandEngine } from "./command-engine.js";
import { QueueVerdicts } from "./queue-verdicts.js";

/**
 * How soon after a DeviceDoc change (an admin's merge, or our own fact) or a change of trust (a
 * revocation learnt) the queue is re-planned.
 */
const REPLAN_DELAY_MS = 100;
/** How often finished commands past the retention are archived (and once at start). */
const ARCHIVE_EVERY_MS = 3_600_000;
/** Days a finished command stays in the live DeviceDoc by default (`archive_commands_after_days`). */
export const DEFAULT_ARCHIVE_AFTER_DAYS = 30;

/** What the agent's command engine is given by the entry point. */
export interface AgentCommandOptions {
  /** The command kinds, from `commands/kinds/all.ts`. */
  kinds: readonly CommandKind[];
  system: SystemControl;
  /** `script.run` runs only scripts from here. */
  scriptsFolder: string;
  /** Names of the running processes (critical-operations gate); Linux reads /proc by default. */
  processNames?: () => Promise<string[]>;
  /**
   * Load readings for the load gate and for the load around each run (then called once per run
   * for a source with its own baseline); Linux reads /proc by default, elsewhere the samples feed
   * the gate and runs have no load figures.
   */
  loadSource?: () => LoadSource;
  /** The device's time zone for the maintenance window; the system's by default. */
  timeZone?: string;
  /** Commands run at once; 1 by default (config `max_concurrent_commands`). */
  maxConcurrent?: number;
  /**
   * Days a finished command stays in the live DeviceDoc before it moves to its month's archive
   * document; 30 by default (config `archive_commands_after_days`).
   */
  archiveAfterDays?: number;
}

/**
 * The command engine inside the running agent: builds its gates (policy read at each use, load
 * from /proc or from samples, processes from /proc), re-plans on every tick and shortly after any
 * DeviceDoc change, and interrupts what runs when the agent stops.
 */
export class AgentCommands {
  readonly #engine: CommandEngine;
  readonly #gates: AgentGates;
  readonly #load: LoadGate;
  readonly #loadSource: LoadSource | undefined;
  readonly #processes: ProcessGroupTracker;
  readonly #device: DocHandle<DeviceDoc>;
  readonly #logger: Logger;
  readonly #isStopping: () => boolean;
  readonly #trust: TrustSource;
  #stopFollowingTrust: (() => void) | undefined;
  readonly #archiveAfterDays: number;
  readonly #parts: {
    repo: Repo;
    device: DocHandle<DeviceDoc>;
    deviceId: DeviceId;
    now: () => number;
    dataDirectory: string;
  };
  #archiveRecord: ArchiveRecord | undefined;
  #archiver: CommandArchiver | undefined;
  #archiveTimer: NodeJS.Timeout | undefined;
  #replanTimer: NodeJS.Timeout | undefined;
  /** Ticks observed so far; see {@link evaluate}. */
  #observed = 0;

  constructor(
    commands: AgentCommandOptions,
    parts: {
      device: DocHandle<DeviceDoc>;
      repo: Repo;
      /** The agent's clock (epoch ms). */
      now: () => number;
      deviceId: DeviceId;
      /** Reads the inventory now (the `inventory.collect` kind). */
      refreshInventory: () => Promise<{ changed: boolean }>;
      /** Where the process groups of running commands are recorded. */
      store: AgentStateStore;
      logger: Logger;
      isStopping: () => boolean;
      /** Appends an audit entry to the day document. */
      audit: (entry: AuditEntry) => void;
      /** The device policy in force (validated; see DevicePolicy). */
      policy: () => Readonly<Policy>;
      /** The agent's trust in what admins sign: every plan is verified against it. */
      trust: TrustSource;
      /** The data folder: the record of what this agent archived lives there. */
      dataDirectory: string;
    },
  ) {
    const { device, repo, now } = parts;
    const onLinux = process.platform === "linux";
    const newLoadSource =
      commands.loadSource ?? (onLinux ? () => new LinuxLoadSource({ now }) : undefined);
    this.#device = device;
    this.#logger = parts.logger;
    this.#isStopping = parts.isStopping;
    this.#trust = parts.trust;
    this.#processes = new ProcessGroupTracker({ store: parts.store, logger: parts.logger });
    this.#load = new LoadGate(
      () => parts.policy().load,
      () => parts.policy().samplingIntervalS,
    );
    this.#gates = new AgentGates({
      device,
      policy: parts.policy,
      load: this.#load,
      now,
      processNames:
        commands.processNames ??
        (onLinux ? async () => (await linuxProcesses()).map((p) => p.name) : systemProcessNames),
      timeZone: commands.timeZone,
      maxConcurrent: commands.maxConcurrent,
    });
    this.#engine = new CommandEngine({
      device,
      repo,
      kinds: commands.kinds,
      actor: actorOf({ kind: "device", deviceId: parts.deviceId }),
      now,
      policy: parts.policy,
      kindContext: (policy, commandId) => ({
        policy,
        scriptsFolder: commands.scriptsFolder,
        system: commands.system,
        runProcess: (file, args, options) => this.#processes.run(commandId, file, args, options),
        refreshInventory: parts.refreshInventory,
      }),
      gates: this.#gates.prepare,
      trust: new QueueVerdicts(parts.trust, parts.deviceId, {
        monthOf: (id) => this.#archiveRecord?.monthOf(id),
      }),
      logger: parts.logger,
      audit: parts.audit,
      watchLoad: () => new LoadWatch(this.#load.last, newLoadSource?.()),
    });
    this.#loadSource = newLoadSource?.();
    this.#archiveAfterDays = commands.archiveAfterDays ?? DEFAULT_ARCHIVE_AFTER_DAYS;
    this.#parts = {
      repo,
      device,
      deviceId: parts.deviceId,
      now,
      dataDirectory: parts.dataDirectory,
    };
  }

  /**
   * Settles what a previous run left running (stops the process groups a killed agent left
   * behind, records their commands `interrupted`), then listens for changes to the queue.
   */
  /**
   * Reads the agent's record of what it archived and settles a batch a crash interrupted, against
   * the DeviceDoc as this agent left it on disk: call it before the relay link starts, so no
   * synced change can make a mark look written by this agent (see ArchiveRecord).
   */
  async prepare(): Promise<void> {
    const record = await ArchiveRecord.open(this.#parts.dataDirectory);
    const forgotten = await record.reconcile((id) => {
      const entry = this.#device.doc().commands[id];
      return entry !== undefined && isArchived(entry);
    });
    if (forgotten.length > 0) {
      this.#logger.warn(
        { commands: forgotten },
        `${forgotten.length} command(s) were being archived when the agent stopped; they stay live and are archived again later`,
      );
    }
    this.#archiveRecord = record;
  }

  async start(): Promise<void> {
    // Before any plan: the record says which archive marks are this agent's own.
    this.#archiveRecord ??= await ArchiveRecord.open(this.#parts.dataDirectory);
    this.#archiver = new CommandArchiver({
      ...this.#parts,
      record: this.#archiveRecord,
      retentionDays: this.#archiveAfterDays,
      stateOf: this.#engine.stateOf,
      logger: this.#logger,
    });
    await this.#processes.stopLeftovers();
    this.#engine.recoverInterrupted();
    this.#device.on("change", this.#replanSoon);
    // A root pinned, a certificate or a revocation learnt: the verdicts change, so does the plan.
    this.#stopFollowingTrust = this.#trust.onChange(this.#replanSoon);
    void this.evaluate();
    void this.archive();
    this.#archiveTimer = setInterval(() => void this.archive(), ARCHIVE_EVERY_MS);
    this.#archiveTimer.unref();
  }

  /**
   * Archives the finished commands past the retention (between plans); never throws (a failure
   * is logged, and the next hourly run tries again). Returns how many it archived.
   */
  async archive(): Promise<number> {
    const archiver = this.#archiver;
    if (archiver === undefined || this.#isStopping()) return 0;
    try {
      return await this.#engine.whileNotPlanning(() => archiver.archive());
    } catch (error) {
      this.#logger.error({ err: error }, `archiving finished commands failed: ${messageOf(error)}`);
      return 0;
    }
  }

  /** Feeds the load gate: /proc on Linux (or the injected source), else the sample's values. */
  async observe(sample: Sample): Promise<void> {
    this.#observed += 1;
    const reading = this.#loadSource
      ? await this.#loadSource.read().catch(() => undefined)
      : readingFromSample(sample, this.#device.doc().inventory?.hardware.memoryMiB);
    if (reading) this.#load.observe(reading);
  }

  /** Re-plans the queue; never throws (a failure is logged and the next tick tries again). */
  async evaluate(): Promise<void> {
    if (this.#isStopping()) return;
    // Just started, the load gate has no reading yet (/proc needs two ticks for a rate): every
    // waiting command would be deferred "for the load" at each start-up, only to move on a
    // second later. Wait for a reading, or two ticks without one (then the deferral is real).
    if (this.#load.last === undefined && this.#observed < 2) return;
    try {
      await this.#engine.evaluate();
    } catch (error) {
      this.#logger.error({ err: error }, `command evaluation failed: ${messageOf(error)}`);
    }
  }

  /**
   * Stops listening to the queue, interrupts what runs (recorded as `interrupted`) and waits for
   * the records.
   */
  async stop(): Promise<void> {
    // The handle belongs to the repo, not to this object: a listener left on it would re-plan a
    // stopped engine at every later change (a merge still arriving) and keep this object alive.
    this.#device.off("change", this.#replanSoon);
    this.#stopFollowingTrust?.();
    clearTimeout(this.#replanTimer);
    clearInterval(this.#archiveTimer);
    await this.#engine.stop();
  }

  /** Re-plans shortly after a DeviceDoc change; the changes of a sync burst make one re-plan. */
  readonly #replanSoon = (): void => {
    if (this.#replanTimer !== undefined) return;
    this.#replanTimer = setTimeout(() => {
      this.#replanTimer = undefined;
      void this.evaluate();
    }, REPLAN_DELAY_MS);
    this.#replanTimer.unref();
  };
}

/** A load reading from a telemetry sample, where /proc is not available. */
function readingFromSample(sample: Sample, totalMiB: number | undefined): LoadReading | undefined {
  const cpu = sample.values.cpu;
  const memory = sample.values.memory;
  if (cpu === undefined || memory === undefined || !totalMiB) return undefined;
  return {
    at: sample.at,
    cpuPercent: cpu,
    memoryPercent: (memory / totalMiB) * 100,
    diskBusyPercent: 0,
  };
}
