import type { Logger } from "@outpost/shared-model";

/** Limits that keep one misbehaving client from hurting the others. */
export interface RelayLimits {
  /** Largest websocket frame accepted; a larger one closes the socket with 1009. */
  maxMessageBytes: number;
  /** Open sync sockets per token (dashboard tabs, agent restarts). */
  maxConnectionsPerToken: number;
  /** Documents one device may own (its DeviceDoc and day documents). */
  maxDocumentsPerDevice: number;
  /** Enrollment attempts per source address per minute. */
  enrollmentsPerMinute: number;
}

/** Defaults sized for a fleet of 10,000 devices on one relay. */
export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  maxMessageBytes: 32 * 1024 * 1024,
  maxConnectionsPerToken: 8,
  maxDocumentsPerDevice: 5_000,
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
  /** Quiet time after sync traffic before a document is flushed and acknowledged (default 100 ms). */
  ackDelayMs?: number;
  /** The built dashboard to serve at `/`, if present. */
  dashboardDirectory?: string;
  logger: Logger;
}
