import { mkdir } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { type AutomergeUrl, type DocHandle, type PeerId, Repo } from "@automerge/automerge-repo";
import type { BackoffPolicy } from "@outpost/shared-model";
import {
  type AuditEntry,
  actorOf,
  createDeviceDoc,
  type DeviceDoc,
  type DeviceId,
  type Logger,
  messageOf,
  peerIdFor,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, lockDataFolder } from "@outpost/shared-model/storage";
import type { Collector } from "../collectors/collector.js";
import { metricsOf } from "../collectors/registry.js";
import { realSystemInfo, type SystemInfo } from "../collectors/system-info.js";
import { type AgentCommandOptions, AgentCommands } from "../commands/engine/agent-commands.js";
import { InventoryKeeper } from "../inventory/inventory-keeper.js";
import type { SoftwareSources } from "../inventory/software.js";
import { AgentStateStore } from "../state/agent-state.js";
import { storageQuiet } from "../state/storage-quiet.js";
import { DurableAckTracker } from "../sync/durable-ack-tracker.js";
import { PresenceHeartbeat } from "../sync/presence-heartbeat.js";
import { RelayLink } from "../sync/relay-link.js";
import { DiskBudget } from "../telemetry/disk-budget.js";
import { LocalRetention } from "../telemetry/local-retention.js";
import { Sampler } from "../telemetry/sampler.js";
import { TelemetryDays } from "../telemetry/telemetry-days.js";
import { type Clock, systemClock } from "./clock.js";
import { newDeviceId } from "./device-identity.js";
import { DevicePolicy } from "./device-policy.js";

/** Folder of the Automerge documents inside the data folder. */
export const DOCUMENTS_FOLDER = "documents";
/** Retention and the disk budget are checked this often (and at every day roll-over). */
const HOUSEKEEPING_MS = 3_600_000;

export type { AgentCommandOptions } from "../commands/engine/agent-commands.js";

/** What {@link Agent.start} needs; everything but the settings can be swapped in tests. */
export interface AgentOptions {
  dataDirectory: string;
  relayUrl: string;
  enrollmentSecret: string | undefined;
  /** Sampling interval until an admin sets one in the device policy. */
  sampleIntervalS: number;
  /** Local retention until an admin sets one in the device policy. */
  retainDays: number;
  diskBudgetBytes: number;
  logger: Logger;
  /** The collectors to run, from `collectors/all.ts` (the core never imports plugins). */
  collectors: readonly Collector[];
  clock?: Clock;
  system?: SystemInfo;
  software?: SoftwareSources;
  backoff?: BackoffPolicy;
  hostname?: string;
  presenceIntervalMs?: number;
  /** The command engine's plugins and access to the system; without it no command runs. */
  commands?: AgentCommandOptions;
}

/**
 * The device agent (ARCHITECTURE.md, "The agent"): samples the collectors into day documents on
 * local disk, keeps the inventory, and syncs with the relay whenever it can, from the first start,
 * before it has ever reached the relay, and through days offline.
 */
export class Agent {
  readonly deviceId: DeviceId;
  readonly repo: Repo;
  readonly device: DocHandle<DeviceDoc>;
  readonly days: TelemetryDays;
  readonly link: RelayLink;
  readonly store: AgentStateStore;
  /** The device policy in force (admins edit it; the config file seeds it). */
  readonly policy: DevicePolicy;
  readonly #options: AgentOptions;
  readonly #clock: Clock;
  readonly #sampler: Sampler;
  readonly #inventory: InventoryKeeper;
  readonly #retention: LocalRetention;
  readonly #budget: DiskBudget;
  readonly #presence: PresenceHeartbeat;
  readonly #commands: AgentCommands | undefined;
  readonly #releaseLock: () => Promise<void>;
  readonly #storage: CrashSafeFileStorageAdapter;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #exclusive: Promise<unknown> = Promise.resolve();
  #housekeptAt = Number.NEGATIVE_INFINITY;
  /** Aborted to cut the sampling loop's sleep short: stopping, or a new interval. */
  #wake = new AbortController();

  private constructor(parts: {
    options: AgentOptions;
    clock: Clock;
    repo: Repo;
    storage: CrashSafeFileStorageAdapter;
    store: AgentStateStore;
    device: DocHandle<DeviceDoc>;
    releaseLock: () => Promise<void>;
  }) {
    const { options, clock, repo, store, device } = parts;
    const logger = options.logger;
    this.#options = options;
    this.#clock = clock;
    this.repo = repo;
    this.store = store;
    this.device = device;
    this.deviceId = store.state.deviceId as DeviceId;
    this.#releaseLock = parts.releaseLock;
    this.#storage = parts.storage;
    this.link = new RelayLink({
      repo,
      relayUrl: options.relayUrl,
      enrollmentSecret: options.enrollmentSecret,
      dataDirectory: options.dataDirectory,
      device: {
        deviceId: this.deviceId,
        hostname: options.hostname ?? osHostname(),
        deviceDocUrl: device.url,
      },
      logger: logger.child({ component: "relay-link" }),
      backoff: options.backoff,
    });
    const acks = new DurableAckTracker({
      store,
      relayPeerId: () => this.link.relayPeerId,
      now: () => clock.now(),
      logger,
    });
    acks.watch(device, { kind: "device" });
    // Entries that arrive together (the facts of one evaluation of the queue) are written in one
    // change: the first schedules the write, and the rest join it until it runs.
    const pendingAudit: AuditEntry[] = [];
    const audit = (entry: AuditEntry) => {
      pendingAudit.push(entry);
      if (pendingAudit.length > 1) return;
      // Serially with the ticks: an audit entry may open the day's document, and two openers
      // of the same day would create two documents for it.
      void this.#serially(() => this.days.audit(...pendingAudit.splice(0))).catch((error) =>
        logger.error({ err: error }, `audit entries lost: ${messageOf(error)}`),
      );
    };
    this.policy = new DevicePolicy({
      device,
      actor: actorOf({ kind: "device", deviceId: this.deviceId }),
      now: () => clock.now(),
      audit,
      logger,
    });
    this.policy.onChange((changed) => {
      if (changed.includes("samplingIntervalS")) this.#wake.abort();
    });
    const policy = () => this.policy.current;
    this.days = new TelemetryDays({
      repo,
      device,
      store,
      deviceId: this.deviceId,
      metrics: metricsOf(options.collectors),
      intervalS: () => policy().samplingIntervalS,
      logger,
      onOpened: (day, handle) => acks.watch(handle, { kind: "day", day }),
    });
    this.#retention = new LocalRetention({
      days: this.days,
      store,
      repo,
      storage: parts.storage,
      retainDays: () => policy().retainDays,
      logger,
    });
    this.#budget = new DiskBudget({
      folder: options.dataDirectory,
      budgetBytes: options.diskBudgetBytes,
      days: this.days,
      retention: this.#retention,
      repo,
      store,
      deviceId: this.deviceId,
      logger,
    });
    acks.onAcknowledged((document) => {
      if (document.kind !== "day") return;
      void this.#serially(() => this.#retention.evictExpired(clock.now())).catch((error) =>
        logger.error({ err: error }, `local eviction failed: ${messageOf(error)}`),
      );
    });
    const system = options.system ?? realSystemInfo;
    this.#sampler = new Sampler(
      options.collectors,
      { system, connectivity: this.link, now: () => clock.now() },
      { intervalS: () => policy().samplingIntervalS, logger },
    );
    this.#inventory = new InventoryKeeper(device, { system, software: options.software, logger });
    this.#presence = new PresenceHeartbeat(device, this.deviceId, {
      agentStartedAt: clock.now(),
      isOnline: () => this.link.isOnline(),
      intervalMs: options.presenceIntervalMs,
    });
    this.link.onConnected(() => this.#presence.beat());
    this.#commands =
      options.commands &&
      new AgentCommands(options.commands, {
        device,
        repo,
        now: () => clock.now(),
        deviceId: this.deviceId,
        refreshInventory: () => this.#inventory.refresh(clock.now()),
        store,
        logger: logger.child({ component: "commands" }),
        isStopping: () => this.#stopping.signal.aborted,
        audit,
        policy,
      });
  }

  /**
   * Opens (or on first run creates) the device's local replica in `dataDirectory`, catches up on
   * what a previous run left (days to close, days to evict), starts sampling, and starts talking
   * to the relay in the background.
   *
   * @throws DataFolderBusy when another agent uses the folder; StateFileError for a damaged state
   *   file.
   */
  static async start(options: AgentOptions): Promise<Agent> {
    const clock = options.clock ?? systemClock;
    await mkdir(options.dataDirectory, { recursive: true, mode: 0o700 });
    const releaseLock = await lockDataFolder(options.dataDirectory, {
      lockFile: "agent.pid",
      program: "outpost-agent",
    });
    try {
      const existing = await AgentStateStore.read(options.dataDirectory);
      const deviceId =
        (existing?.deviceId as DeviceId | undefined) ??
        newDeviceId(options.hostname ?? osHostname());
      const storage = await CrashSafeFileStorageAdapter.create(
        join(options.dataDirectory, DOCUMENTS_FOLDER),
      );
      const repo = new Repo({
        storage,
        network: [],
        peerId: peerIdFor({ kind: "device", deviceId }, `agent-${process.pid}`) as PeerId,
      });
      let deviceDocUrl = existing?.deviceDocUrl;
      if (deviceDocUrl === undefined) {
        // First run: the device document exists (and is on disk) before anything refers to it.
        const created = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
        await repo.flush([created.documentId]);
        deviceDocUrl = created.url;
      }
      const store = await AgentStateStore.open(options.dataDirectory, () => ({
        version: 1,
        deviceId,
        deviceDocUrl: deviceDocUrl as string,
        createdAt: clock.now(),
        days: {},
      }));
      const device = await repo.find<DeviceDoc>(store.state.deviceDocUrl as AutomergeUrl);
      const agent = new Agent({ options, clock, repo, storage, store, device, releaseLock });
      await agent.#resume();
      return agent;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  /**
   * Stops sampling and syncing, and leaves everything on disk: the open day, the state file and
   * the lock released. Safe to call twice: the second call waits for the first.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping.abort();
    this.#wake.abort();
    await this.#loop;
    await this.#commands?.stop();
    this.#presence.stop();
    await this.link.stop();
    await this.#exclusive.catch(() => {});
    await this.store.flush();
    await this.repo.flush();
    await this.repo.shutdown();
    // Nothing may write into the data folder once stop() returns (the lock says it is free).
    await storageQuiet(this.#storage);
    await this.#releaseLock();
    this.#options.logger.info("agent stopped");
  }

  async #resume(): Promise<void> {
    const now = this.#clock.now();
    const logger = this.#options.logger;
    logger.info(
      { deviceId: this.deviceId, deviceDocUrl: this.device.url },
      `agent ${this.deviceId} starting; data in ${this.#options.dataDirectory}`,
    );
    this.policy.start({
      samplingIntervalS: this.#options.sampleIntervalS,
      retainDays: this.#options.retainDays,
    });
    await this.days.resume(now);
    await this.#retention.evictExpired(now);
    await this.#inventory.refreshIfDue(now);
    this.link.start();
    this.#presence.start();
    await this.#commands?.start();
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let intervalMs = this.policy.current.samplingIntervalS * 1000;
    // Ticks fall on multiples of the interval, so hour buckets line up across restarts.
    let next = Math.ceil(this.#clock.now() / intervalMs) * intervalMs;
    let lastFailure: string | undefined;
    let lastTickAt = Number.NEGATIVE_INFINITY;
    while (!signal.aborted) {
      try {
        await this.#clock.sleep(next - this.#clock.now(), this.#wake.signal);
      } catch {
        if (signal.aborted) break; // stopping
        // The policy changed the interval: the next tick falls on a multiple of the new one,
        // after the last tick taken.
        this.#wake = new AbortController();
        const changedMs = this.policy.current.samplingIntervalS * 1000;
        if (changedMs !== intervalMs) {
          intervalMs = changedMs;
          next = Math.ceil(this.#clock.now() / intervalMs) * intervalMs;
          if (next <= lastTickAt) next += intervalMs;
        }
        continue;
      }
      const at = next;
      lastTickAt = at;
      try {
        await this.#serially(() => this.#tick(at));
        lastFailure = undefined;
      } catch (error) {
        // The same failure tick after tick (a full disk, a clock behind) is one line, not 8,640.
        const message = messageOf(error);
        if (message !== lastFailure) {
          this.#options.logger.error({ err: error }, `sampling failed: ${message}`);
          lastFailure = message;
        }
      }
      next += intervalMs;
      // Fell behind (a suspended laptop, a slow disk): skip the missed ticks, do not burst.
      const now = this.#clock.now();
      if (next <= now) next = Math.ceil((now + 1) / intervalMs) * intervalMs;
    }
  }

  async #tick(at: number): Promise<void> {
    const sample = await this.#sampler.sample(at);
    const dayBefore = this.days.currentDay;
    const { day, handle } = await this.days.append(sample);
    // Flushed before the next tick: a crash loses at most the tick under way. The device
    // document is flushed too when it changed (a new day's index entry); otherwise it is a no-op.
    await this.repo.flush([handle.documentId, this.device.documentId]);
    this.#options.logger.debug({ at, day }, "sample stored");
    await this.#inventory.refreshIfDue(at);
    await this.#commands?.observe(sample);
    void this.#commands?.evaluate();
    // Housekeeping hourly and at each roll-over, not every tick (acknowledgements also trigger
    // eviction as they arrive).
    if (dayBefore !== day || at - this.#housekeptAt >= HOUSEKEEPING_MS) {
      this.#housekeptAt = at;
      await this.#retention.evictExpired(at);
      await this.#budget.enforce(at);
    }
  }

  /** Runs `work` after everything queued before it: ticks, evictions and budget steps in turn. */
  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#exclusive.catch(() => {}).then(work);
    this.#exclusive = result;
    return result;
  }
}
