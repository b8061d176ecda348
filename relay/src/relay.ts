import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { DocHandle, DocumentId, Message, PeerId } from "@automerge/automerge-repo";
import { Repo, stringifyAutomergeUrl } from "@automerge/automerge-repo";
import type { FleetDoc, Logger } from "@outpost/shared-model";
import { createFleetDoc, describePrincipal } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, lockDataFolder } from "@outpost/shared-model/storage";
import { WebSocketServer } from "ws";
import { RateLimiter } from "./http/rate-limiter.js";
import { makeRequestHandler } from "./http/request-handler.js";
import { makeUpgradeHandler, SYNC_PATH } from "./http/upgrade-handler.js";
import { RelayMetrics } from "./metrics/relay-metrics.js";
import { AuthenticatedServerAdapter } from "./network/authenticated-server-adapter.js";
import type { RelayLimits, RelayOptions } from "./relay-options.js";
import { DEFAULT_LIMITS } from "./relay-options.js";
import { OwnershipStore } from "./state/ownership-store.js";
import { PrincipalStore } from "./state/principal-store.js";
import { AccessPolicy } from "./sync/access-policy.js";
import { DurableAcks, MAX_ACK_WAIT_MS } from "./sync/durable-acks.js";
import { IdleUnloader } from "./sync/idle-unloader.js";
import { LoadBudget } from "./sync/load-budget.js";
import { PeerHeads } from "./sync/peer-heads.js";
import { PeerRequests } from "./sync/peer-requests.js";
import { RepoDocuments } from "./sync/repo-documents.js";

/**
 * automerge-repo saves a changed document on its own, throttled. The durable ack flushes every
 * changed document within MAX_ACK_WAIT_MS anyway; with the throttle longer than that, the repo's
 * save finds the heads already stored and writes nothing, instead of writing the same state a
 * second time next to the ack's flush.
 */
const SAVE_THROTTLE_MS = 2 * MAX_ACK_WAIT_MS;

/**
 * One relay process (DESIGN §5): an automerge-repo peer on crash-safe storage behind an
 * authenticated websocket, with enrollment, health and metrics over HTTP.
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
  readonly #ownership: OwnershipStore;
  readonly #fleet: DocHandle<FleetDoc>;
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
    fleet: DocHandle<FleetDoc>;
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
    const adapter = new AuthenticatedServerAdapter(
      webSocketServer,
      logger.child({ component: "sync" }),
      metrics,
      requests,
      options.joinTimeoutMs ?? 10_000,
    );

    const relayId = principals.identity?.relayId ?? randomBytes(8).toString("hex");
    const peerId = `relay:${relayId}` as PeerId;
    let policy: AccessPolicy | undefined;
    const repo = new Repo({
      storage,
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
    const fleet = await openFleetDoc(repo, principals, relayId);
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
      fleetDocumentId: fleet.documentId,
      maxDocumentsPerDevice: limits.maxDocumentsPerDevice,
      logger: logger.child({ component: "access" }),
      metrics,
      admission: budget,
    });
    adapter.on("message", (message: Message) => {
      if ("documentId" in message && message.documentId !== undefined)
        unloader.touch(message.documentId);
    });
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
      peerHeads.forgetPeer(peerId);
      budget.pump();
    });

    const server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key })
      : createHttpServer();
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
          flushFleet: () => repo.flush([fleet.documentId]),
          rateLimiter: new RateLimiter(limits.enrollmentsPerMinute),
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
    await Promise.all([this.#acks.stop(), this.#unloader.stop()]);
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

/** Finds the fleet document, or creates it on the first start of a data folder. */
async function openFleetDoc(
  repo: Repo,
  principals: PrincipalStore,
  relayId: string,
): Promise<DocHandle<FleetDoc>> {
  const identity = principals.identity;
  if (identity !== undefined) {
    try {
      return await repo.find<FleetDoc>(
        stringifyAutomergeUrl({ documentId: identity.fleetDocumentId as DocumentId }),
      );
    } catch (cause) {
      throw new Error(
        `the fleet document ${identity.fleetDocumentId} is missing from the data folder`,
        { cause },
      );
    }
  }
  const fleet = repo.create<FleetDoc>(createFleetDoc());
  await repo.flush([fleet.documentId]);
  await principals.initialize(relayId, fleet.documentId);
  return fleet;
}
