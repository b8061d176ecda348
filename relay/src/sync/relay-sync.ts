import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { DocumentId, Message, PeerId, Repo } from "@automerge/automerge-repo";
import { describePrincipal } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { WebSocketServer } from "ws";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { QuarantineGuard } from "../network/authenticated-server-adapter.js";
import { AuthenticatedServerAdapter } from "../network/authenticated-server-adapter.js";
import { InboundSync } from "../network/inbound-sync.js";
import type { RelayLimits, RelayOptions } from "../relay-options.js";
import { markCleanStop, takeCleanStop } from "../state/clean-stop.js";
import { FleetDeviceMarks } from "../state/fleet-device-marks.js";
import { FleetDocument } from "../state/fleet-document.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PrincipalStore } from "../state/principal-store.js";
import { StoredBytes } from "../state/stored-bytes.js";
import { SummaryShards } from "../state/summary-shards.js";
import { TrustDocument } from "../state/trust-document.js";
import { startAutomergeProbe } from "./automerge-work.js";
import { openCrashQuarantine } from "./crash-quarantine.js";
import { DocumentAccess } from "./document-access.js";
import { DocumentMemory } from "./document-memory.js";
import { type DocumentPresence, documentPresence } from "./document-presence.js";
import { DocumentSizes, readyDocumentOps } from "./document-sizes.js";
import { PeerRequests } from "./peer-requests.js";
import { createRelayRepo } from "./relay-repo.js";
import { SummaryFeed } from "./summary-feed.js";

/** What {@link RelaySync.open} needs: the relay's options, limits and state. */
export type RelaySyncOptions = Pick<
  RelayOptions,
  | "dataDirectory"
  | "joinTimeoutMs"
  | "ackDelayMs"
  | "idleUnloadMs"
  | "emptyClaimGraceMs"
  | "trapOnDocumentId"
  | "logger"
> & {
  limits: RelayLimits;
  principals: PrincipalStore;
  ownership: OwnershipStore;
  metrics: RelayMetrics;
};

/** The parts a {@link RelaySync} is made of, as {@link RelaySync.open} builds them. */
interface SyncParts {
  repo: Repo;
  adapter: AuthenticatedServerAdapter;
  webSocketServer: WebSocketServer;
  fleet: FleetDocument;
  trust: TrustDocument;
  fleetMarks: FleetDeviceMarks;
  documentExists: DocumentPresence;
  storage: CrashSafeFileStorageAdapter;
  quarantine: QuarantineGuard;
  memory: DocumentMemory;
  access: DocumentAccess;
  summaries: SummaryFeed;
  dataDirectory: string;
  /** The last stop wrote every summary (see takeCleanStop). */
  stoppedCleanly: boolean;
}

/**
 * The relay's sync side (ARCHITECTURE.md, "The relay"): the repo on crash-safe storage behind the
 * authenticated websocket adapter, with access, what is held in memory, inbound bounds and crash
 * quarantine wired to each other. The HTTP server hands it upgraded sockets; it knows no HTTP.
 */
export class RelaySync {
  readonly repo: Repo;
  readonly adapter: AuthenticatedServerAdapter;
  /** Where upgraded sockets go (`noServer`: the HTTP server does the upgrade). */
  readonly webSocketServer: WebSocketServer;
  readonly fleet: FleetDocument;
  /** The fleet's TrustDoc, once the fleet has a root key. */
  readonly trust: TrustDocument;
  /** Revocations and removals written into the FleetDoc as they come. */
  readonly fleetMarks: FleetDeviceMarks;
  /** True when the relay has a document: stored, or loaded with content. */
  readonly documentExists: DocumentPresence;
  readonly #storage: CrashSafeFileStorageAdapter;
  readonly #quarantine: QuarantineGuard;
  readonly #memory: DocumentMemory;
  readonly #access: DocumentAccess;
  /** Keeps the fleet's summary shards current (ARCHITECTURE.md, "Fleet summaries"). */
  readonly summaries: SummaryFeed;
  readonly #dataDirectory: string;
  readonly #stoppedCleanly: boolean;
  #stopProbe: (() => void) | undefined;

  private constructor(parts: SyncParts) {
    this.repo = parts.repo;
    this.adapter = parts.adapter;
    this.webSocketServer = parts.webSocketServer;
    this.fleet = parts.fleet;
    this.trust = parts.trust;
    this.fleetMarks = parts.fleetMarks;
    this.documentExists = parts.documentExists;
    this.#storage = parts.storage;
    this.#quarantine = parts.quarantine;
    this.#memory = parts.memory;
    this.#access = parts.access;
    this.summaries = parts.summaries;
    this.#dataDirectory = parts.dataDirectory;
    this.#stoppedCleanly = parts.stoppedCleanly;
  }

  /**
   * Opens the document store and the FleetDoc (created on the first start) and wires the sync
   * parts together. Nothing runs on a timer until {@link start}.
   */
  static async open(options: RelaySyncOptions): Promise<RelaySync> {
    const { limits, principals, ownership, metrics, logger } = options;
    const storage = await CrashSafeFileStorageAdapter.create(
      join(options.dataDirectory, "documents"),
      { logger: logger.child({ component: "storage" }) },
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
    // Access needs the FleetDoc, which needs the repo: until it exists the repo refuses everyone.
    let access: DocumentAccess | undefined;
    // Counting each device's bytes on disk for its quota; whenIdle and the rest use the storage.
    const storedBytes = new StoredBytes(storage, ownership, (documentId) =>
      quarantine.work.loaded(documentId),
    );
    const repo = createRelayRepo({
      storage: storedBytes,
      network: adapter,
      peerId: `relay:${relayId}` as PeerId,
      access: (peer, documentId) =>
        access ? access.access(peer, documentId) : Promise.resolve(false),
    });
    const fleet = await FleetDocument.open(repo, principals, relayId);
    const fleetMarks = await FleetDeviceMarks.follow(principals, fleet, logger);
    const documentExists = documentPresence(repo, storage);
    // Shared by the inbound bounds and the load budget: both weigh documents by their ops.
    const sizes = new DocumentSizes({ currentOps: readyDocumentOps(repo) });
    const memory = new DocumentMemory(repo, {
      ackDelayMs: options.ackDelayMs ?? 100,
      idleUnloadMs: options.idleUnloadMs ?? 300_000,
      maxLoaded: limits.maxLoadedDocuments,
      maxLoadedOps: limits.maxLoadedOps,
      maxSyncing: limits.maxSyncingDocuments,
      opsOf: (documentId) => sizes.estimate(documentId),
      pinned: fleet.documentId,
      logger,
      metrics,
    });
    const trust = await TrustDocument.open(repo, principals.adminKeys, {
      logger: logger.child({ component: "trust" }),
      pin: (documentId) => memory.pin(documentId),
    });
    // Before anything can queue a summary: a crash from here on must not find the marker.
    const stoppedCleanly = await takeCleanStop(options.dataDirectory);
    const shards = await SummaryShards.open(repo, fleet, {
      logger: logger.child({ component: "summaries" }),
      pin: (documentId) => memory.pin(documentId),
    });
    access = new DocumentAccess({
      repo,
      peers: adapter,
      requests,
      principals,
      ownership,
      storedBytes,
      documentExists,
      fleetDocumentId: fleet.documentId,
      isSummaryShard: (documentId) => shards.isShard(documentId),
      admission: memory.admission,
      limits,
      emptyClaimGraceMs: options.emptyClaimGraceMs,
      logger,
      metrics,
    });
    adapter.on("message", (message: Message) => {
      if ("documentId" in message && message.documentId !== undefined)
        memory.touch(message.documentId);
    });
    // Size bounds and per-peer time budgets between checked frames and automerge-repo.
    const inbound = new InboundSync({
      limits,
      sizes,
      reading: {
        pause: (peer) => adapter.pauseReading(peer),
        resume: (peer) => adapter.resumeReading(peer),
      },
      metrics,
      logger: logger.child({ component: "inbound" }),
    });
    adapter.useInbound(inbound);
    repo.on("doc-metrics", (event) => inbound.observe(event));
    adapter.on("peer-disconnected", ({ peerId }) => {
      access?.peerLeft(peerId);
      memory.peerLeft(peerId);
    });
    principals.on("token-revoked", (tokenHash, principal) => {
      const who = describePrincipal(principal);
      logger.info({ principal: who }, `token of ${who} revoked; closing its connections`);
      adapter.closeConnectionsOf(tokenHash, `token of ${who} revoked`);
    });
    const summaries = new SummaryFeed({
      repo,
      fleet,
      shards,
      loads: {
        admission: memory.admission,
        documentExists,
        unload: (documentId) => memory.unloadNow(documentId),
      },
      logger: logger.child({ component: "summaries" }),
    });
    return new RelaySync({
      repo,
      summaries,
      dataDirectory: options.dataDirectory,
      stoppedCleanly,
      adapter,
      webSocketServer,
      fleet,
      trust,
      fleetMarks,
      documentExists,
      storage,
      quarantine,
      memory,
      access,
    });
  }

  /** The relay's automerge-repo peer ID: the sender of durable acknowledgements. */
  get peerId(): PeerId {
    return this.repo.peerId;
  }

  /** Starts the timers: the Automerge probe, the idle sweep and the empty-claim sweep. */
  start(intervals: { idleSweepMs: number; claimSweepMs: number }): void {
    this.#stopProbe = startAutomergeProbe(this.#quarantine.work, 5_000);
    this.#memory.start(intervals.idleSweepMs);
    this.#access.start(intervals.claimSweepMs);
    this.summaries.start(!this.#stoppedCleanly);
  }

  /** Records what the relay was working on when a fatal `error` struck (see CrashRecords). */
  recordCrash(error: unknown): void {
    this.#quarantine.work.recordCrash(error);
  }

  /** Releases claims of documents that never got content, now. */
  sweepEmptyClaims(): Promise<number> {
    return this.#access.sweepEmptyClaims();
  }

  /** Unloads idle documents now. */
  sweepIdleDocuments(): Promise<number> {
    return this.#memory.sweepIdle();
  }

  /** Documents held in memory right now. */
  loadedDocumentIds(): DocumentId[] {
    return Object.keys(this.repo.handles) as DocumentId[];
  }

  /**
   * Closes every socket, lets documents waiting for the load budget through (the repo refuses
   * them by then), waits for acks and sweeps under way, flushes every loaded document and waits
   * for the storage to be idle. Returns how many documents were flushed.
   */
  async stop(): Promise<number> {
    for (const socket of this.webSocketServer.clients) socket.close(1001, "relay shutting down");
    this.webSocketServer.close();
    this.#stopProbe?.();
    // Together: a background summary may be waiting for the load budget, which stopping releases.
    await Promise.all([
      this.summaries.stop(),
      this.#memory.stop(),
      this.#access.stop(),
      this.trust.close(),
    ]);
    const ready = Object.entries(this.repo.handles)
      .filter(([, handle]) => handle.isReady())
      .map(([documentId]) => documentId as DocumentId);
    await this.repo.flush(ready);
    // flush() does not wait for a save the repo's throttle had already started; the storage
    // adapter does. A save it has still pending finds the heads stored and writes nothing.
    await this.#storage.whenIdle();
    await markCleanStop(this.#dataDirectory);
    this.adapter.disconnect();
    return ready.length;
  }
}
