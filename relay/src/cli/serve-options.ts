import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { RelayFileConfig } from "../config/relay-config.js";
import { RelayConfigError } from "../config/relay-config.js";
import type { RelayOptions } from "../relay-options.js";

/** `serve` flags; each overrides the config file's value. */
export interface ServeFlags {
  data?: string;
  host?: string;
  port?: string;
  tlsCert?: string;
  tlsKey?: string;
  dashboard?: string;
}

/** Where the relay listens when nothing says otherwise: loopback only. */
export const DEFAULT_ADDRESS = { host: "127.0.0.1", port: 8080 } as const;

/** Combines flags and the config file into relay options, reading the TLS files. */
export async function resolveServeOptions(
  flags: ServeFlags,
  config: RelayFileConfig,
  logger: Logger,
  defaultDashboard: string,
): Promise<RelayOptions> {
  const data = flags.data ?? config.data;
  if (data === undefined)
    throw new RelayConfigError("no data folder: pass --data DIR or set data in the config file");
  const port =
    flags.port === undefined ? (config.port ?? DEFAULT_ADDRESS.port) : parsePort(flags.port);
  const certPath = flags.tlsCert ?? config.tls?.cert;
  const keyPath = flags.tlsKey ?? config.tls?.key;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new RelayConfigError("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
  }
  return {
    dataDirectory: resolve(data),
    host: flags.host ?? config.host ?? DEFAULT_ADDRESS.host,
    port,
    tls:
      certPath && keyPath
        ? { cert: await readPem(certPath, "certificate"), key: await readPem(keyPath, "key") }
        : undefined,
    limits: {
      maxMessageBytes: config.limits?.max_message_bytes,
      maxConnectionsPerToken: config.limits?.max_connections_per_token,
      maxDocumentsPerDevice: config.limits?.max_documents_per_device,
      maxPendingDocumentsPerDevice: config.limits?.max_pending_documents_per_device,
      maxStoredBytesPerDevice: config.limits?.max_stored_bytes_per_device,
      maxLoadedDocuments: config.limits?.max_loaded_documents,
      maxLoadedOps: config.limits?.max_loaded_ops,
      maxSyncingDocuments: config.limits?.max_syncing_documents,
      enrollmentsPerMinute: config.limits?.enrollments_per_minute,
      enrollmentFailuresPerMinute: config.limits?.enrollment_failures_per_minute,
      newDevicesPerMinute: config.limits?.new_devices_per_minute,
      maxConnections: config.limits?.max_connections,
      headersTimeoutMs: config.limits?.headers_timeout_ms,
      requestTimeoutMs: config.limits?.request_timeout_ms,
      maxChangeOps: config.limits?.max_change_ops,
      maxSyncMessageOps: config.limits?.max_sync_message_ops,
      maxSyncMessageDecodedBytes: config.limits?.max_sync_message_decoded_bytes,
      maxDocumentOps: config.limits?.max_document_ops,
      peerSyncMsPerSecond: config.limits?.peer_sync_ms_per_second,
      peerSyncBurstMs: config.limits?.peer_sync_burst_ms,
    },
    idleUnloadMs:
      config.sync?.idle_unload_seconds === undefined
        ? undefined
        : config.sync.idle_unload_seconds * 1000,
    ackDelayMs: config.sync?.ack_delay_ms,
    dashboardDirectory: resolve(flags.dashboard ?? config.dashboard ?? defaultDashboard),
    trustedProxies: config.trusted_proxies,
    publicUrl: config.public_url,
    agentBundlePath: config.agent_bundle === undefined ? undefined : resolve(config.agent_bundle),
    logger,
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RelayConfigError(
      `--port: expected a port number 0..65535, received ${JSON.stringify(text)}`,
    );
  }
  return port;
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new RelayConfigError(`cannot read TLS ${what} ${path}: ${messageOf(cause)}`, {
      cause,
    });
  }
}
