import type { Logger } from "@outpost/shared-model";

/** Limits that keep one misbehaving client from hurting the others. */
export interface RelayLimits {
  /** Largest websocket frame accepted; a larger one closes the socket with 1009. */
  maxMessageBytes: number;
  /** Open sync sockets per token (dashboard tabs, agent restarts). */
  maxConnectionsPerToken: number;
  /** Documents one device may own (its DeviceDoc and day documents). */
  maxDocumentsPerDevice: number;
  /**
   * Documents the relay does not have that one device may be starting to sync at once, before
   * their content arrives and they become the device's (see UnclaimedDocuments).
   */
  maxPendingDocumentsPerDevice: number;
  /**
   * Bytes one device's documents may take on the relay's disk. A year of telemetry at the
   * default sampling is far below it; past it, the device's new content is refused.
   */
  maxStoredBytesPerDevice: number;
  /**
   * Documents held in memory at once. A day of telemetry takes several megabytes of Automerge's
   * WebAssembly heap (capped at 4 GiB per process); past this, documents wait to load while
   * settled ones are unloaded (see LoadBudget).
   */
  maxLoadedDocuments: number;
  /**
   * Automerge ops the loaded documents (all but the FleetDoc, TrustDoc and summary shards) hold
   * at once. A document's WebAssembly heap grows with its ops: about 130 bytes each for a day of
   * telemetry just synced from an agent (measured: 78,000 ops, 10 MB), about 40 once
   * loaded from disk. A document's size is known only once its content arrives, so up to
   * `maxSyncingDocuments` more may be on their way in (see LoadBudget).
   */
  maxLoadedOps: number;
  /**
   * Documents loaded and still syncing at once. The relay works through sync messages one at a
   * time; too many syncs started together leave each waiting so long that automerge-repo gives
   * up on documents (after 60 s).
   */
  maxSyncingDocuments: number;
  /**
   * Enrollments with the right secret per client address per minute (and their burst); failed
   * attempts count against `enrollmentFailuresPerMinute` instead.
   */
  enrollmentsPerMinute: number;
  /**
   * Failed enrollment attempts (wrong secret, bad request) per client address per minute, and
   * their burst; once spent, the address is refused before its secret is compared.
   */
  enrollmentFailuresPerMinute: number;
  /** Enrollments of new device IDs per minute across the fleet (and their burst), every address. */
  newDevicesPerMinute: number;
  /**
   * TCP connections the relay holds at once, of every kind (sync websockets, HTTP requests, TLS
   * handshakes); more are dropped as they arrive. One file descriptor each: keep it under the
   * process's open-file limit (LimitNOFILE), which the relay checks at start.
   */
  maxConnections: number;
  /** A client must send a request's complete headers within this, or its socket is closed (408). */
  headersTimeoutMs: number;
  /** A client must send a whole request (headers and body) within this; at least headersTimeoutMs. */
  requestTimeoutMs: number;
  /**
   * Ops one change in a sync message may carry (a JS string is one op per character). A
   * telemetry tick is under 30; a command's result with full 16 KiB outputs about 33,000.
   * Measured from the chunk's columns before anything is applied (see InboundSync).
   */
  maxChangeOps: number;
  /**
   * Ops one sync message may carry in all. Automerge sends a peer that lacks part of a
   * document the whole document as one chunk: a day of telemetry at the default 10 s is
   * 113,000 ops, at the 1 s minimum 1.12 million. A refused message is refused whole (1009).
   */
  maxSyncMessageOps: number;
  /**
   * Bytes a sync message's changes may decode to once every deflated part is inflated (a
   * compression bomb is refused while inflating, at this cap). A 1 s telemetry day: 1.6 MB.
   */
  maxSyncMessageDecodedBytes: number;
  /**
   * Ops a device may grow one document to (about 100 to 250 bytes of relay memory each while
   * it is loaded): the loaded document's size plus what is under way, counted before a message
   * is handed on. Messages already applied count in full, duplicates included, so leave twice
   * the largest document. Not applied to admins (see InboundSync).
   */
  maxDocumentOps: number;
  /**
   * Milliseconds of sync work (Automerge applying a peer's messages and answering it) a peer
   * earns per second. A peer that has spent its budget is paused (its socket not read, its
   * messages waiting) until it has earned it back; nothing is refused.
   */
  peerSyncMsPerSecond: number;
  /** Milliseconds of sync work a peer may spend at once, and the most it saves up. */
  peerSyncBurstMs: number;
}

/** Defaults sized for a fleet of 10,000 devices on one relay. */
export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  maxMessageBytes: 32 * 1024 * 1024,
  maxConnectionsPerToken: 8,
  maxDocumentsPerDevice: 5_000,
  maxPendingDocumentsPerDevice: 64,
  maxStoredBytesPerDevice: 2 * 1024 ** 3,
  maxLoadedDocuments: 256,
  // About 130 MB of WebAssembly heap for days just synced, plus up to 32 arriving: 2,000,000
  // peaked at 1,029 MB in a 1,000-agent storm of full days (bench/relay-storm/README.md).
  maxLoadedOps: 1_000_000,
  maxSyncingDocuments: 32,
  enrollmentsPerMinute: 30,
  enrollmentFailuresPerMinute: 10,
  // 10,000 devices enrolled in under 20 minutes; a leaked secret adds fakes no faster.
  newDevicesPerMinute: 600,
  // 10,000 agents hold one websocket each; the rest is dashboards, enrollments and reconnects.
  maxConnections: 15_000,
  // Headers come in one packet from a real client, even over a slow link.
  headersTimeoutMs: 10_000,
  // The largest body is a 16 KiB enrollment.
  requestTimeoutMs: 30_000,
  // Over the largest legitimate figures measured, at 1 s sampling too (OPERATIONS.md, "Memory bounds").
  maxChangeOps: 250_000,
  maxSyncMessageOps: 2_000_000,
  maxSyncMessageDecodedBytes: 32 * 1024 * 1024,
  maxDocumentOps: 4_000_000,
  // A quarter of the one thread, in bursts of 5 s: a 1 s telemetry day takes about 4 s to apply.
  peerSyncMsPerSecond: 250,
  peerSyncBurstMs: 5_000,
});

/**
 * The limits in force: `given` over the defaults. A limit left undefined (absent from the config
 * file, say) keeps its default.
 */
export function limitsWithDefaults(given: Partial<RelayLimits> = {}): RelayLimits {
  const defined = Object.entries(given).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(defined) };
}

/** Everything a relay needs to start. */
export interface RelayOptions {
  /** Data folder: principals, ownership and the documents. Created if missing. */
  dataDirectory: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** PEM certificate and key: HTTPS and WSS. Without them the relay speaks plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  limits?: Partial<RelayLimits>;
  /** Documents untouched this long are flushed and unloaded (default 5 minutes). */
  idleUnloadMs?: number;
  /** How often idle documents are looked for (default 30 s). */
  idleSweepIntervalMs?: number;
  /**
   * A claim whose document is still not on disk this long after it was made is released
   * (default 10 minutes); looked for every `claimSweepIntervalMs` (default 5 minutes).
   */
  emptyClaimGraceMs?: number;
  claimSweepIntervalMs?: number;
  /** An authenticated socket that sends no join this long is closed (default 10 s). */
  joinTimeoutMs?: number;
  /** Quiet time after sync traffic before a document is flushed and acknowledged (default 100 ms). */
  ackDelayMs?: number;
  /**
   * Tests only: handling any message about this document fails as an Automerge trap would, to
   * show that a crash is recorded and a document that crashes the relay again is quarantined.
   */
  trapOnDocumentId?: string;
  /** The built dashboard to serve at `/`, if present. */
  dashboardDirectory?: string;
  /**
   * Addresses and CIDR ranges of reverse proxies whose `X-Forwarded-For` names the client (see
   * TrustedProxies); from any other peer the header is ignored. None by default.
   */
  trustedProxies?: readonly string[];
  /**
   * The relay's address as devices reach it (`https://relay.example.com`), for the install
   * commands of enrollment tokens; without it, the address each admin's request came to.
   */
  publicUrl?: string;
  /** The agent archive served at `GET /v1/agent/bundle` (default: this checkout's agent/dist). */
  agentBundlePath?: string;
  logger: Logger;
}
