import { mkdir } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import { actorOf, type DeviceDoc, type DeviceId } from "@outpost/shared-model";
import {
  type CrashSafeFileStorageAdapter,
  lockDataFolder,
  shutdownRepo,
} from "@outpost/shared-model/storage";
import { metricsOf } from "../collectors/registry.js";
import { realSystemInfo } from "../collectors/system-info.js";
import { AgentCommands } from "../commands/engine/agent-commands.js";
import { InventoryKeeper } from "../inventory/inventory-keeper.js";
import type { AgentStateStore } from "../state/agent-state.js";
import { storageQuiet } from "../state/storage-quiet.js";
import { DurableAckTracker } from "../sync/durable-ack-tracker.js";
import { PresenceHeartbeat } from "../sync/presence-heartbeat.js";
import { RelayLink } from "../sync/relay-link.js";
import { DiskBudget } from "../telemetry/disk-budget.js";
import { Housekeeping } from "../telemetry/housekeeping.js";
import { LocalRetention } from "../telemetry/local-retention.js";
import { Sampler } from "../telemetry/sampler.js";
import { TelemetryDays } from "../telemetry/telemetry-days.js";
import { AgentTrust } from "../trust/agent-trust.js";
import { RootPinning } from "../trust/root-pinning.js";
import type { AgentOptions } from "./agent-options.js";
import { AuditBatcher } from "./audit-batcher.js";
import { type Clock, systemClock } from "./clock.js";
import { DevicePolicy } from "./device-policy.js";
import { type LocalReplica, openLocalReplica } from "./local-replica.js";
import { SamplingLoop } from "./sampling-loop.js";
import { SerialWork } from "./serial-work.js";

export type { AgentCommandOptions } from "../commands/engine/agent-commands.js";
export type { AgentOptions } from "./agent-options.js";
export { DOCUMENTS_FOLDER } from "./local-replica.js";

/**
 * The device agent (ARCHITECTURE.md, "The agent"): samples the collectors into day documents on
 * local disk, keeps the inventory, and syncs with the relay whenever it can, from the first start,
 * before it has ever reached the relay, and through days offline.
 *
 * This class only wires the parts together and owns the order they start and stop in; each part
 * is its own module.
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
  /** The fleet's root and what the agent learnt about admin keys: what it trusts admins by. */
  readonly trust: AgentTrust;
  readonly #pinning: RootPinning;
  readonly #options: AgentOptions;
  readonly #clock: Clock;
  readonly #storage: CrashSafeFileStorageAdapter;
  readonly #releaseLock: () => Promise<void>;
  /** Ticks, evictions, budget steps and audit writes, one at a time. */
  readonly #serial = new SerialWork();
  readonly #sampling: SamplingLoop;
  readonly #sampler: Sampler;
  readonly #inventory: InventoryKeeper;
  readonly #housekeeping: Housekeeping;
  readonly #presence: PresenceHeartbeat;
  readonly #commands: AgentCommands | undefined;
  readonly #stopping = new AbortController();
  #stopped: Promise<void> | undefined;

  private constructor(
    options: AgentOptions,
    clock: Clock,
    replica: LocalReplica,
    releaseLock: () => Promise<void>,
  ) {
    const { repo, store, device, deviceId } = replica;
    const logger = options.logger;
    const now = () => clock.now();
    this.#options = options;
    this.#clock = clock;
    this.#storage = replica.storage;
    this.#releaseLock = releaseLock;
    this.repo = repo;
    this.store = store;
    this.device = device;
    this.deviceId = deviceId;
    this.trust = new AgentTrust({ store, repo, logger: logger.child({ component: "trust" }) });
    this.#pinning = new RootPinning({
      trust: this.trust,
      dataDirectory: options.dataDirectory,
      relayUrl: options.relayUrl,
      rootKeyFingerprint: options.rootKeyFingerprint,
      logger: logger.child({ component: "trust" }),
    });
    this.link = new RelayLink({
      repo,
      relayUrl: options.relayUrl,
      enrollmentSecret: options.enrollmentSecret,
      enrollmentToken: options.enrollmentToken,
      dataDirectory: options.dataDirectory,
      device: { deviceId, hostname: options.hostname ?? osHostname(), deviceDocUrl: device.url },
      logger: logger.child({ component: "relay-link" }),
      backoff: options.backoff,
      pinning: this.#pinning,
    });
    this.link.onConnected(() => this.#pinning.connected(this.link.credentials));
    const acks = new DurableAckTracker({
      store,
      relayPeerId: () => this.link.relayPeerId,
      now,
      logger,
    });
    acks.watch(device, { kind: "device" });
    const audit = new AuditBatcher({
      write: (entries) => this.days.audit(...entries),
      schedule: (work) => this.#serial.run(work),
      logger,
    });
    this.policy = new DevicePolicy({
      device,
      actor: actorOf({ kind: "device", deviceId }),
      now,
      audit: audit.add,
      logger,
      trust: this.trust,
      deviceId,
    });
    const policy = () => this.policy.current;
    this.#sampling = new SamplingLoop({
      clock,
      intervalS: () => policy().samplingIntervalS,
      tick: (at) => this.#serial.run(() => this.#tick(at)),
      logger,
    });
    this.policy.onChange((changed) => {
      if (changed.includes("samplingIntervalS")) this.#sampling.intervalChanged();
    });
    this.days = new TelemetryDays({
      repo,
      device,
      store,
      deviceId,
      metrics: metricsOf(options.collectors),
      intervalS: () => policy().samplingIntervalS,
      logger,
      onOpened: (day, handle) => acks.watch(handle, { kind: "day", day }),
    });
    const retention = new LocalRetention({
      days: this.days,
      store,
      repo,
      storage: replica.storage,
      retainDays: () => policy().retainDays,
      logger,
    });
    this.#housekeeping = new Housekeeping({
      retention,
      budget: new DiskBudget({
        folder: options.dataDirectory,
        budgetBytes: options.diskBudgetBytes,
        days: this.days,
        retention,
        repo,
        store,
        deviceId,
        logger,
      }),
      schedule: (work) => this.#serial.run(work),
      now,
      logger,
    });
    acks.onAcknowledged((document) => {
      if (document.kind === "day") this.#housekeeping.dayAcknowledged();
    });
    const system = options.system ?? realSystemInfo;
    this.#sampler = new Sampler(
      options.collectors,
      { system, connectivity: this.link, now },
      { intervalS: () => policy().samplingIntervalS, logger },
    );
    this.#inventory = new InventoryKeeper(device, { system, software: options.software, logger });
    this.#presence = new PresenceHeartbeat(device, deviceId, {
      agentStartedAt: now(),
      isOnline: () => this.link.isOnline(),
      intervalMs: options.presenceIntervalMs,
    });
    this.link.onConnected(() => this.#presence.beat());
    this.#commands =
      options.commands &&
      new AgentCommands(options.commands, {
        device,
        repo,
        now,
        deviceId,
        refreshInventory: () => this.#inventory.refresh(now()),
        store,
        logger: logger.child({ component: "commands" }),
        isStopping: () => this.#stopping.signal.aborted,
        audit: audit.add,
        policy,
        trust: this.trust,
        dataDirectory: options.dataDirectory,
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
      const replica = await openLocalReplica(options.dataDirectory, {
        hostname: options.hostname ?? osHostname(),
        deviceId: options.deviceId,
        now: () => clock.now(),
      });
      const agent = new Agent(options, clock, replica, releaseLock);
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

  /** Catches up on what a previous run left, then starts every part, sampling last. */
  async #resume(): Promise<void> {
    const now = this.#clock.now();
    const logger = this.#options.logger;
    logger.info(
      { deviceId: this.deviceId, deviceDocUrl: this.device.url },
      `agent ${this.deviceId} starting; data in ${this.#options.dataDirectory}`,
    );
    // The root first: the policy and the queue are verified against it.
    await this.#pinning.resume(this.#options.trust);
    await this.policy.start({
      samplingIntervalS: this.#options.sampleIntervalS,
      retainDays: this.#options.retainDays,
    });
    await this.days.resume(now);
    await this.#housekeeping.resume(now);
    await this.#inventory.refreshIfDue(now);
    await this.#commands?.prepare();
    this.link.start();
    this.#presence.start();
    await this.#commands?.start();
    this.#sampling.start();
  }

  /**
   * Sampling first (no tick may start), then commands (their last facts still reach the queue),
   * the relay link, the work already queued; then everything to disk and the folder freed.
   */
  async #stop(): Promise<void> {
    this.#stopping.abort();
    await this.#sampling.stop();
    await this.#commands?.stop();
    await this.policy.stop();
    this.#presence.stop();
    await this.link.stop();
    await this.#pinning.idle();
    await this.trust.stop();
    await this.#serial.idle();
    await this.store.flush();
    await shutdownRepo(this.repo);
    // Nothing may write into the data folder once stop() returns (the lock says it is free).
    await storageQuiet(this.#storage);
    await this.#releaseLock();
    this.#options.logger.info("agent stopped");
  }

  /** One sampling tick: a sample into its day, flushed, then what follows from it. */
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
    await this.#housekeeping.afterTick(at, dayBefore !== day);
  }
}
