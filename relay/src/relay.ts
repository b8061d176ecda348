import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { DocumentId, Message, PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, lockDataFolder } from "@outpost/shared-model/storage";
import { WebSocketServer } from "ws";
import { TrustedProxies } from "./http/client-address.js";
import { guardConnections, serverTimeouts } from "./http/connection-guard.js";
import { EnrollmentLimits } from "./http/enrollment-limits.js";
import { makeRequestHandler } from "./http/request-handler.js";
import { makeUpgradeHandler, SYNC_PATH } from "./http/upgrade-handler.js";
import { RelayMetrics } from "./metrics/relay-metrics.js";
import type { QuarantineGuard } from "./network/authenticated-server-adapter.js";
import { AuthenticatedServerAdapter } from "./network/authenticated-server-adapter.js";
import { InboundSync } from "./network/inbound-sync.js";
import type { RelayLimits, RelayOptions } from "./relay-options.js";
import { DEFAULT_LIMITS } from "./relay-options.js";
import { FleetDocument } from "./state/fleet-document.js";
import { OwnershipStore } from "./state/ownership-store.js";
import { PrincipalStore } from "./state/principal-store.js";
import { StoredBytes } from "./state/stored-bytes.js";
import { AccessPolicy } from "./sync/access-policy.js";
import { startAutomergeProbe } from "./sync/automerge-work.js";
import { openCrashQuarantine } from "./sync/crash-quarantine.js";
import { documentPresence } from "./sync/document-presence.js";
import { DocumentSizes, readyDocumentOps } from "./sync/document-sizes.js";
import { DurableAcks, MAX_ACK_WAIT_MS } from "./sync/durable-acks.js";
import { EmptyClaimSweeper } from "./sync/empty-claim-sweeper.js";
import { IdleUnloader } from "./sync/idle-unloader.js";
import { LoadBudget } from "./sync/load-budget.js";
import { PeerHeads } from "./sync/peer-heads.js";
import { PeerRequests } from "./sync/peer-requests.js";
import { RepoDocuments } from "./sync/repo-documents.js";
import { PerDeviceStorageQuota } from "./sync/storage-quota.js";
import { UnclaimedDocuments } from "./sync/unclaimed-documents.js";

/**
 * automerge-repo saves a changed document on its own, throttled. The durable ack flushes every
 * changed document within MAX_ACK_WAIT_MS anyway; with the throttle longer than that, the repo's
 * save finds the heads already stored and writes nothing, instead of writing the same state a
 * second time next to the ack's flush.
 */
const SAVE_THROTTLE_MS = 2 * MAX_ACK_WAIT_MS;

/**
 * How long a device may hold a document it is starting to sync before sending content: its
 * changes follow the relay's first answer within a round trip, even on a slow link.
 */
const PENDING_DOCUMENT_TTL_MS = 10 * 60_000;

/**
 * One relay process (ARCHITECTURE.md, "The relay"): an automerge-repo peer on crash-safe storage
 * behind an authenticated websocket, with enrollment, health and metrics over HTTP.
 */
export class Relay {
  readonly principals: PrincipalStore;
  readonly metrics: RelayMetrics;
  readonly limits: RelayLimits;
  readonly #server: Server;
  readonly #webSocketServer: WebSocketServer;
  readonly #repo: Repo;
  readonly #adapter: AuthenticatedServerAdapter;
  readonly #acks: DurableAcks;
  readonly #unloader: IdleUnloader;
  readonly #budget: LoadBudget;
  readonly #claimSweeper: EmptyClaimSweeper;
  readonly #quarantine: QuarantineGuard;
  readonly #stopProbe: () => void;
  readonly #ownership: OwnershipStore;
  readonly #fleet: FleetDocument;
  readonly #storage: CrashSafeFileStorageAdapter;
  readonly #logger: Logger;
  readonly #secure: boolean;
  readonly #releaseLock: () => Promise<void>;
  readonly #startedAt = Date.now();
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    principals: PrincipalStore;
    ownership: OwnershipStore;
    metrics: RelayMetrics;
    limits: RelayLimits;
    server: Server;
    webSocketServer: WebSocketServer;
    repo: Repo;
    adapter: AuthenticatedServerAdapter;
    acks: DurableAcks;
    unloader: IdleUnloader;
    budget: LoadBudget;
    claimSweeper: EmptyClaimSweeper;
    quarantine: QuarantineGuard;
    fleet: FleetDocument;
    storage: CrashSafeFileStorageAdapter;
    logger: Logger;
    secure: boolean;
    releaseLock: () => Promise<void>;
  }) {
    this.principals = parts.principals;
    this.#ownership = parts.ownership;
    this.metrics = parts.metrics;
    this.limits = parts.limits;
    this.#server = parts.server;
    this.#webSocketServer = parts.webSocketServer;
    this.#repo = parts.repo;
    this.#adapter = parts.adapter;
    this.#acks = parts.acks;
    this.#unloader = parts.unloader;
    this.#budget = parts.budget;
    this.#claimSweeper = parts.claimSweeper;
    this.#quarantine = parts.quarantine;
    this.#stopProbe = startAutomergeProbe(parts.quarantine.work, 5_000);
    this.#fleet = parts.fleet;
    this.#storage = parts.storage;
    this.#logger = parts.logger;
    this.#secure = parts.secure;
    this.#releaseLock = parts.releaseLock;
  }

  /** Opens the data folder, starts listening and resolves once the relay accepts connections. */
  static async start(options: RelayOptions): Promise<Relay> {
    const logger = options.logger;
    // Limits left undefined (e.g. absent from the config file) keep their defaults.
    const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined);
    const limits: RelayLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) };
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
    const storage = await CrashSafeFileStorageAdapter.create(
      join(options.dataDirectory, "documents"),
      {
        logger: logger.child({ component: "storage" }),
      },
    );
    const webSocketServer = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxMessageBytes,
    });
    const requests = new PeerRequests();
    const quarantine = openCrashQuarantine({
      dataDirectory: options.dataDirectory,
      fleetDocumentId: principals.identity?.fleetDocumentId,
      logger: logger.child({ component: "quarantine" }),
      metrics,
      trapOnDocumentId: options.trapOnDocumentId,
    });
    const adapter = new AuthenticatedServerAdapter(
      webSocketServer,
      logger.child({ component: "sync" }),
      metrics,
      requests,
      options.joinTimeoutMs ?? 10_000,
      quarantine,
    );

    const relayId = principals.identity?.relayId ?? randomBytes(8).toString("hex");
    const peerId = `relay:${relayId}` as PeerId;
    let policy: AccessPolicy | undefined;
    // Counting each device's bytes on disk for its quota; whenIdle and the rest use the storage.
    const storedBytes = new StoredBytes(storage, ownership, (documentId) =>
      quarantine.work.loaded(documentId),
    );
    const repo = new Repo({
      storage: storedBytes,
      network: [adapter],
      peerId,
      enableRemoteHeadsGossiping: false,
      saveDebounceRate: SAVE_THROTTLE_MS,
      shareConfig: {
        announce: async () => false,
        access: (peer, documentId) =>
          policy ? policy.access(peer, documentId) : Promise.resolve(false),
      },
    });
    const fleet = await FleetDocument.open(repo, principals, relayId);
    const documentExists = documentPresence(repo, storage);
    const acks = new DurableAcks(repo, { delayMs: options.ackDelayMs ?? 100, logger, metrics });
    const unloader = new IdleUnloader(repo, {
      idleMs: options.idleUnloadMs ?? 300_000,
      logger,
      metrics,
    });
    unloader.pin(fleet.documentId);
    const peerHeads = new PeerHeads(repo);
    const budget = new LoadBudget({
      maxLoaded: limits.maxLoadedDocuments,
      maxSyncing: limits.maxSyncingDocuments,
      documents: new RepoDocuments(repo, { unloader, acks, peerHeads }),
      logger: logger.child({ component: "load-budget" }),
      metrics,
    });
    policy = new AccessPolicy({
      peers: adapter,
      requests,
      ownership,
      unclaimed: new UnclaimedDocuments({
        maxPerDevice: limits.maxPendingDocumentsPerDevice,
        ttlMs: PENDING_DOCUMENT_TTL_MS,
      }),
      documentExists,
      deviceDocumentOf: (deviceId) => principals.device(deviceId)?.deviceDocumentId,
      quota: new PerDeviceStorageQuota(storedBytes, limits.maxStoredBytesPerDevice, metrics),
      fleetDocumentId: fleet.documentId,
      maxDocumentsPerDevice: limits.maxDocumentsPerDevice,
      logger: logger.child({ component: "access" }),
      metrics,
      admission: budget,
    });
    const claimSweeper = new EmptyClaimSweeper({
      ownership,
      context: {
        documentExists,
        isLoaded: (documentId) => repo.handles[documentId as DocumentId] !== undefined,
        deviceDocumentOf: (deviceId) => principals.device(deviceId)?.deviceDocumentId,
      },
      graceMs: options.emptyClaimGraceMs ?? PENDING_DOCUMENT_TTL_MS,
      logger: logger.child({ component: "claims" }),
      metrics,
    });
    adapter.on("message", (message: Message) => {
      if ("documentId" in message && message.documentId !== undefined)
        unloader.touch(message.documentId);
    });
    // Size bounds and per-peer time budgets between checked frames and automerge-repo.
    const inbound = new InboundSync({
      limits,
      sizes: new DocumentSizes({ currentOps: readyDocumentOps(repo) }),
      reading: {
        pause: (peer) => adapter.pauseReading(peer),
        resume: (peer) => adapter.resumeReading(peer),
      },
      metrics,
      logger: logger.child({ component: "inbound" }),
    });
    adapter.useInbound(inbound);
    repo.on("doc-metrics", (event) => inbound.observe(event));
    // Acks follow the sync messages the repo has processed, not their arrival: a document can
    // wait for the load budget far longer than the ack delay.
    repo.synchronizer.on("sync-state", ({ documentId }) => acks.touch(documentId));
    acks.onAcknowledged(() => budget.pump());
    unloader.onUnloaded((documentId) => {
      peerHeads.forgetDocument(documentId);
      acks.forget(documentId);
      budget.pump();
    });
    adapter.on("peer-disconnected", ({ peerId }) => {
      policy?.peerLeft(peerId);
      peerHeads.forgetPeer(peerId);
      budget.pump();
    });

    const server = options.tls
      ? createHttpsServer({
          cert: options.tls.cert,
          key: options.tls.key,
          ...timeouts,
          // Node's default is 120 s: a socket stuck in the handshake would outlive the headers timeout.
          handshakeTimeout: timeouts.headersTimeout,
        })
      : createHttpServer(timeouts);
    guardConnections(server, {
      maxConnections: limits.maxConnections,
      logger: logger.child({ component: "http" }),
      metrics,
    });
    const relay = new Relay({
      principals,
      ownership,
      metrics,
      limits,
      server,
      webSocketServer,
      repo,
      adapter,
      acks,
      unloader,
      budget,
      claimSweeper,
      quarantine,
      fleet,
      storage,
      logger,
      secure: options.tls !== undefined,
      releaseLock,
    });
    server.on(
      "request",
      makeRequestHandler({
        enroll: {
          principals,
          ownership,
          fleet,
          documentExists,
          enrollmentLimits: new EnrollmentLimits({
            failuresPerMinute: limits.enrollmentFailuresPerMinute,
            enrollmentsPerMinute: limits.enrollmentsPerMinute,
            newDevicesPerMinute: limits.newDevicesPerMinute,
          }),
          clientAddress: trustedProxies.clientAddressOf,
          maxDocumentsPerDevice: limits.maxDocumentsPerDevice,
          relayPeerId: peerId,
          logger: logger.child({ component: "enroll" }),
          metrics,
        },
        principals,
        metrics,
        health: () => relay.#health(),
        fleetDocUrl: fleet.url,
        relayPeerId: peerId,
        dashboardDirectory: options.dashboardDirectory,
        logger,
      }),
    );
    server.on(
      "upgrade",
      makeUpgradeHandler({
        principals,
        adapter,
        webSocketServer,
        maxConnectionsPerToken: limits.maxConnectionsPerToken,
        clientAddress: trustedProxies.clientAddressOf,
        logger,
        metrics,
      }),
    );
    principals.on("token-revoked", (tokenHash, principal) => {
      logger.info(
        { principal: describePrincipal(principal) },
        `token of ${describePrincipal(principal)} revoked; closing its connections`,
      );
      adapter.closeConnectionsOf(tokenHash, `token of ${describePrincipal(principal)} revoked`);
    });
    principals.follow();
    unloader.start(options.idleSweepIntervalMs ?? 30_000);
    claimSweeper.start(options.claimSweepIntervalMs ?? 5 * 60_000);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      // A port in use, say: release the storage, timers and file watchers, or the process
      // would stay alive, serving nothing, and a supervisor would never restart it.
      await relay.stop();
      throw error;
    }
    logger.info(
      { url: relay.url, peerId, dataDirectory: options.dataDirectory, tls: relay.#secure },
      relay.#secure
        ? `relay listening on ${relay.url} (HTTPS/WSS)`
        : `relay listening on ${relay.url} over plain HTTP: use it on loopback or behind a TLS proxy`,
    );
    return relay;
  }

  /** `http(s)://host:port` the relay listens on. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `${this.#secure ? "https" : "http"}://${host}:${address.port}`;
  }

  /** `ws(s)://host:port/sync`, without the token. */
  get syncUrl(): string {
    return `${this.url.replace(/^http/, "ws")}${SYNC_PATH}`;
  }

  /** The relay's automerge-repo peer ID: the sender of durable acknowledgements. */
  get peerId(): PeerId {
    return this.#repo.peerId;
  }

  /** The fleet document's URL, for admins. */
  get fleetDocUrl(): string {
    return this.#fleet.url;
  }

  /**
   * Records what the relay was working on when `error` (a fatal one) struck, so a document that
   * keeps crashing the relay is quarantined at the next start (see CrashRecords).
   */
  recordCrash(error: unknown): void {
    this.#quarantine.work.recordCrash(error);
  }

  /** Releases claims of documents that never got content now (tests; a timer does it too). */
  sweepEmptyClaims(): Promise<number> {
    return this.#claimSweeper.sweep();
  }

  /** Unloads idle documents now (tests, and the sweep timer). */
  sweepIdleDocuments(): Promise<number> {
    return this.#unloader.sweep();
  }

  /** Documents held in memory right now. */
  loadedDocumentIds(): DocumentId[] {
    return Object.keys(this.#repo.handles) as DocumentId[];
  }

  /**
   * Stops accepting, closes every socket, waits for acks under way and flushes every loaded
   * document. Safe to call twice.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const socket of this.#webSocketServer.clients) socket.close(1001, "relay shutting down");
    this.#webSocketServer.close();
    this.#budget.stop();
    this.#stopProbe();
    await Promise.all([this.#acks.stop(), this.#unloader.stop(), this.#claimSweeper.stop()]);
    const ready = Object.entries(this.#repo.handles)
      .filter(([, handle]) => handle.isReady())
      .map(([documentId]) => documentId as DocumentId);
    await this.#repo.flush(ready);
    // flush() does not wait for a save the repo's throttle had already started; the storage
    // adapter does. A save it has still pending finds the heads stored and writes nothing.
    await this.#storage.whenIdle();
    this.#adapter.disconnect();
    this.principals.close();
    await closed;
    await this.#releaseLock();
    this.#logger.info(
      { flushed: ready.length },
      `relay stopped; ${ready.length} documents flushed`,
    );
  }

  #health(): Record<string, unknown> {
    return {
      uptimeS: Math.round((Date.now() - this.#startedAt) / 1000),
      documentsLoaded: Object.keys(this.#repo.handles).length,
      connections: this.#webSocketServer.clients.size,
      enrolledDevices: this.principals.deviceCount(),
      ownedDocuments: this.#ownership.size,
    };
  }
}
