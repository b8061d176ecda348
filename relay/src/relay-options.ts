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
   * Documents held in memory at once. A day of telemetry takes several megabytes of Automerge's
   * WebAssembly heap (capped at 4 GiB per process); past this, documents wait to load while
   * settled ones are unloaded (see LoadBudget).
   */
  maxLoadedDocuments: number;
  /**
   * Documents loaded and still syncing at once. The relay works through sync messages one at a
   * time; too many syncs started together leave each waiting so long that automerge-repo gives
   * up on documents (after 60 s).
   */
  maxSyncingDocuments: number;
  /** Enrollment attempts per source address per minute. */
  enrollmentsPerMinute: number;
}

/** Defaults sized for a fleet of 10,000 devices on one relay. */
export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  maxMessageBytes: 32 * 1024 * 1024,
  maxConnectionsPerToken: 8,
  maxDocumentsPerDevice: 5_000,
  maxLoadedDocuments: 256,
  maxSyncingDocuments: 32,
  enrollmentsPerMinute: 30,
});

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
  /** An authenticated socket that sends no join this long is closed (default 10 s). */
  joinTimeoutMs?: number;
  /** Quiet time after sync traffic before a document is flushed and acknowledged (default 100 ms). */
  ackDelayMs?: number;
  /** The built dashboard to serve at `/`, if present. */
  dashboardDirectory?: string;
  logger: Logger;
}
