import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { RelayLimits, RelayOptions } from "../relay-options.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { RelaySync } from "../sync/relay-sync.js";
import type { TrustedProxies } from "./client-address.js";
import { guardConnections, type ServerTimeouts } from "./connection-guard.js";
import { deviceAdministration } from "./device-administration.js";
import { EnrollmentLimits } from "./enrollment-limits.js";
import { makeRequestHandler } from "./request-handler.js";
import { makeUpgradeHandler } from "./upgrade-handler.js";

/**
 * The relay's HTTP(S) server (ARCHITECTURE.md, "The relay"): connection limits and timeouts,
 * the routes (enrollment, session, health, metrics, the dashboard's files) and the websocket
 * upgrade that hands authenticated sockets to the sync side.
 */
export class RelayHttpServer {
  /** True when the relay speaks HTTPS and WSS. */
  readonly secure: boolean;
  readonly #server: Server;

  constructor(options: {
    tls: RelayOptions["tls"];
    timeouts: ServerTimeouts;
    limits: RelayLimits;
    trustedProxies: TrustedProxies;
    principals: PrincipalStore;
    ownership: OwnershipStore;
    sync: Pick<
      RelaySync,
      "adapter" | "webSocketServer" | "fleet" | "trust" | "fleetMarks" | "documentExists" | "peerId"
    >;
    /** What `GET /healthz` reports beside its status. */
    health: () => Record<string, unknown>;
    dashboardDirectory: string | undefined;
    /** Install commands' relay address and the agent archive (see deviceAdministration). */
    onboarding?: { publicUrl?: string; agentBundlePath?: string };
    logger: Logger;
    metrics: RelayMetrics;
  }) {
    const { tls, timeouts, limits, principals, sync, logger, metrics } = options;
    const clientAddress = options.trustedProxies.clientAddressOf;
    this.secure = tls !== undefined;
    this.#server = tls
      ? createHttpsServer({
          cert: tls.cert,
          key: tls.key,
          ...timeouts,
          // Node's default is 120 s: a socket stuck in the handshake would outlive the headers timeout.
          handshakeTimeout: timeouts.headersTimeout,
        })
      : createHttpServer(timeouts);
    guardConnections(this.#server, {
      maxConnections: limits.maxConnections,
      logger: logger.child({ component: "http" }),
      metrics,
    });
    const devices = deviceAdministration({
      principals,
      ownership: options.ownership,
      sync,
      trustedProxies: options.trustedProxies,
      secure: this.secure,
      publicUrl: options.onboarding?.publicUrl,
      agentBundlePath: options.onboarding?.agentBundlePath,
      logger,
      metrics,
    });
    this.#server.on(
      "request",
      makeRequestHandler({
        enroll: {
          principals,
          ownership: options.ownership,
          fleet: sync.fleet,
          trust: sync.trust,
          documentExists: sync.documentExists,
          enrollmentLimits: new EnrollmentLimits({
            failuresPerMinute: limits.enrollmentFailuresPerMinute,
            enrollmentsPerMinute: limits.enrollmentsPerMinute,
            newDevicesPerMinute: limits.newDevicesPerMinute,
          }),
          clientAddress,
          gate: devices.gate,
          maxDocumentsPerDevice: limits.maxDocumentsPerDevice,
          relayPeerId: sync.peerId,
          logger: logger.child({ component: "enroll" }),
          metrics,
        },
        principals,
        trust: sync.trust,
        devices: devices.devices,
        agentInstall: devices.agentInstall,
        metrics,
        health: options.health,
        fleetDocUrl: sync.fleet.url,
        relayPeerId: sync.peerId,
        dashboardDirectory: options.dashboardDirectory,
        logger,
      }),
    );
    this.#server.on(
      "upgrade",
      makeUpgradeHandler({
        principals,
        adapter: sync.adapter,
        webSocketServer: sync.webSocketServer,
        maxConnectionsPerToken: limits.maxConnectionsPerToken,
        clientAddress,
        logger,
        metrics,
      }),
    );
  }

  /** Resolves once the server accepts connections; rejects when it cannot (a port in use). */
  listen(port: number, host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
  }

  /** `http(s)://host:port` the server listens on. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `${this.secure ? "https" : "http"}://${host}:${address.port}`;
  }

  /** Stops accepting and drops the open HTTP connections; resolves once the server has closed. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    return closed;
  }
}
