import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import type { WebSocketServer } from "ws";
import { hashToken } from "../auth/tokens.js";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { AuthenticatedServerAdapter } from "../network/authenticated-server-adapter.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { ClientAddressOf } from "./client-address.js";
import { refuseUpgrade } from "./responses.js";

/** The path of the sync websocket; the token goes in its `token` query parameter. */
export const SYNC_PATH = "/sync";

/**
 * Authenticates a websocket upgrade before any websocket exists: a missing, unknown or revoked
 * token gets HTTP 401, a token over its connection limit 429, any other path 404. A browser cannot
 * set headers on a WebSocket, hence the query parameter (ARCHITECTURE.md, "Identity").
 */
export function makeUpgradeHandler(deps: {
  principals: PrincipalStore;
  adapter: AuthenticatedServerAdapter;
  webSocketServer: WebSocketServer;
  maxConnectionsPerToken: number;
  /** The client behind a trusted proxy, else the socket's peer (see TrustedProxies). */
  clientAddress: ClientAddressOf;
  logger: Logger;
  metrics: RelayMetrics;
}): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    const address = deps.clientAddress(request);
    const url = new URL(request.url ?? "/", "http://relay");
    if (url.pathname !== SYNC_PATH) {
      refuseUpgrade(
        socket,
        404,
        "Not Found",
        `no websocket endpoint at ${url.pathname}; use ${SYNC_PATH}`,
      );
      return;
    }
    const token = url.searchParams.get("token");
    const principal = token ? deps.principals.authenticate(token) : undefined;
    if (!token || principal === undefined) {
      const reason = token ? "bad-token" : "missing-token";
      const error = token
        ? "invalid or revoked token"
        : `missing token: connect to ${SYNC_PATH}?token=<token>`;
      deps.metrics.rejections.inc({ reason });
      deps.logger.warn({ remoteAddress: address, reason }, `sync connection refused: ${error}`);
      refuseUpgrade(socket, 401, "Unauthorized", error);
      return;
    }
    const tokenHash = hashToken(token);
    if (deps.adapter.connectionCount(tokenHash) >= deps.maxConnectionsPerToken) {
      const error = `too many connections for this token (limit ${deps.maxConnectionsPerToken})`;
      deps.metrics.rejections.inc({ reason: "too-many-connections" });
      deps.logger.warn(
        { principal: describePrincipal(principal), remoteAddress: address },
        `sync connection refused: ${error}`,
      );
      refuseUpgrade(socket, 429, "Too Many Requests", error);
      return;
    }
    deps.webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
      deps.adapter.adopt(webSocket, principal, tokenHash, address);
      deps.webSocketServer.emit("connection", webSocket, request);
    });
  };
}
