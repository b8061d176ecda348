import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { DocumentId, PeerId } from "@automerge/automerge-repo";
import type { FleetTrust, Logger } from "@outpost/shared-model";
import { lockDataFolder } from "@outpost/shared-model/storage";
import { TrustedProxies } from "./http/client-address.js";
import { serverTimeouts } from "./http/connection-guard.js";
import { RelayHttpServer } from "./http/relay-http-server.js";
import { SYNC_PATH } from "./http/upgrade-handler.js";
import { RelayMetrics } from "./metrics/relay-metrics.js";
import { limitsWithDefaults, type RelayLimits, type RelayOptions } from "./relay-options.js";
import { OwnershipStore } from "./state/ownership-store.js";
import { PrincipalStore } from "./state/principal-store.js";
import { RelaySync } from "./sync/relay-sync.js";

/**
 * One relay process (ARCHITECTURE.md, "The relay"): an automerge-repo peer on crash-safe storage
 * behind an authenticated websocket, with enrollment, health and metrics over HTTP.
 *
 * This class only assembles the parts (the state journals, RelaySync, RelayHttpServer) and owns
 * the order they start and stop in.
 */
export class Relay {
  readonly principals: PrincipalStore;
  readonly metrics: RelayMetrics;
  readonly limits: RelayLimits;
  readonly #ownership: OwnershipStore;
  readonly #sync: RelaySync;
  readonly #http: RelayHttpServer;
  readonly #logger: Logger;
  readonly #releaseLock: () => Promise<void>;
  readonly #startedAt = Date.now();
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    principals: PrincipalStore;
    ownership: OwnershipStore;
    metrics: RelayMetrics;
    limits: RelayLimits;
    sync: RelaySync;
    http: RelayHttpServer;
    logger: Logger;
    releaseLock: () => Promise<void>;
  }) {
    this.principals = parts.principals;
    this.#ownership = parts.ownership;
    this.metrics = parts.metrics;
    this.limits = parts.limits;
    this.#sync = parts.sync;
    this.#http = parts.http;
    this.#logger = parts.logger;
    this.#releaseLock = parts.releaseLock;
  }

  /** Opens the data folder, starts listening and resolves once the relay accepts connections. */
  static async start(options: RelayOptions): Promise<Relay> {
    const logger = options.logger;
    const limits = limitsWithDefaults(options.limits);
    // Before the data folder is locked: a contradictory limit is a config error, said plainly.
    const timeouts = serverTimeouts(limits);
    const trustedProxies = new TrustedProxies(options.trustedProxies ?? []);
    await mkdir(join(options.dataDirectory, "documents"), { recursive: true, mode: 0o700 });
    // One relay per folder: the storage has one writer, and the journals one appender.
    const releaseLock = await lockDataFolder(options.dataDirectory, {
      lockFile: "relay.pid",
      program: "outpost-relay",
    });
    const principals = await PrincipalStore.open(options.dataDirectory, logger);
    const ownership = await OwnershipStore.open(options.dataDirectory, logger);
    const metrics = new RelayMetrics();
    const sync = await RelaySync.open({ ...options, limits, principals, ownership, metrics });
    const http: RelayHttpServer = new RelayHttpServer({
      tls: options.tls,
      timeouts,
      limits,
      trustedProxies,
      principals,
      ownership,
      sync,
      // Asked only once the server listens, when `relay` exists.
      health: () => relay.#health(),
      dashboardDirectory: options.dashboardDirectory,
      onboarding: { publicUrl: options.publicUrl, agentBundlePath: options.agentBundlePath },
      logger,
      metrics,
    });
    const relay: Relay = new Relay({
      principals,
      ownership,
      metrics,
      limits,
      sync,
      http,
      logger,
      releaseLock,
    });
    principals.follow();
    sync.start({
      idleSweepMs: options.idleSweepIntervalMs ?? 30_000,
      claimSweepMs: options.claimSweepIntervalMs ?? 5 * 60_000,
    });
    try {
      await http.listen(options.port, options.host);
    } catch (error) {
      // A port in use, say: release the storage, timers and file watchers, or the process
      // would stay alive, serving nothing, and a supervisor would never restart it.
      await relay.stop();
      throw error;
    }
    logger.info(
      {
        url: relay.url,
        peerId: relay.peerId,
        dataDirectory: options.dataDirectory,
        tls: http.secure,
      },
      http.secure
        ? `relay listening on ${relay.url} (HTTPS/WSS)`
        : `relay listening on ${relay.url} over plain HTTP: use it on loopback or behind a TLS proxy`,
    );
    return relay;
  }

  /** `http(s)://host:port` the relay listens on. */
  get url(): string {
    return this.#http.url;
  }

  /** `ws(s)://host:port/sync`, without the token. */
  get syncUrl(): string {
    return `${this.url.replace(/^http/, "ws")}${SYNC_PATH}`;
  }

  /** The relay's automerge-repo peer ID: the sender of durable acknowledgements. */
  get peerId(): PeerId {
    return this.#sync.peerId;
  }

  /** The fleet document's URL, for admins. */
  get fleetDocUrl(): string {
    return this.#sync.fleet.url;
  }

  /**
   * The fleet's root key and TrustDoc, as enrollment hands them out; `undefined` while the fleet
   * has no root key (the relay then refuses enrollment).
   */
  get trust(): FleetTrust | undefined {
    return this.#sync.trust.fleetTrust();
  }

  /**
   * Records what the relay was working on when `error` (a fatal one) struck, so a document that
   * keeps crashing the relay is quarantined at the next start (see CrashRecords).
   */
  recordCrash(error: unknown): void {
    this.#sync.recordCrash(error);
  }

  /**
   * Resolves once the summary shards hold every summary the relay has computed so far, background
   * summaries included (tests and benchmarks).
   */
  summariesSettled(): Promise<void> {
    return this.#sync.summaries.settled();
  }

  /** Releases claims of documents that never got content now (tests; a timer does it too). */
  sweepEmptyClaims(): Promise<number> {
    return this.#sync.sweepEmptyClaims();
  }

  /** Unloads idle documents now (tests, and the sweep timer). */
  sweepIdleDocuments(): Promise<number> {
    return this.#sync.sweepIdleDocuments();
  }

  /** Documents held in memory right now. */
  loadedDocumentIds(): DocumentId[] {
    return this.#sync.loadedDocumentIds();
  }

  /**
   * Stops accepting, closes every socket, waits for acks under way and flushes every loaded
   * document. Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** HTTP first (nothing new arrives), then sync, the journals, and the folder's lock last. */
  async #stop(): Promise<void> {
    const closed = this.#http.close();
    const flushed = await this.#sync.stop();
    this.principals.close();
    await closed;
    await this.#releaseLock();
    this.#logger.info({ flushed }, `relay stopped; ${flushed} documents flushed`);
  }

  #health(): Record<string, unknown> {
    return {
      uptimeS: Math.round((Date.now() - this.#startedAt) / 1000),
      documentsLoaded: this.#sync.loadedDocumentIds().length,
      connections: this.#sync.webSocketServer.clients.size,
      enrolledDevices: this.principals.deviceCount(),
      ownedDocuments: this.#ownership.size,
    };
  }
}
