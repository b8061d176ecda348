import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "@outpost/shared-model";
import { ThrottledWarning } from "../log/throttled-warning.js";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { RelayLimits } from "../relay-options.js";
import { connectionCapFor, openFileLimit } from "./open-file-limit.js";

/** One warning line per this at most, however many sockets a flood brings. */
const WARNING_INTERVAL_MS = 10_000;

/** A limit that cannot work as given; says which keys and why. */
export class InvalidLimits extends Error {
  override name = "InvalidLimits";
}

/** Node's server options that enforce `headersTimeoutMs` and `requestTimeoutMs`. */
export interface ServerTimeouts {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
}

/**
 * Node checks its timeouts only every `connectionsCheckingInterval` (30 s by default): with the
 * default 60 s headers timeout a slowloris socket lived up to 90 s. Checking every second, or
 * more often for a shorter timeout, keeps the overshoot small; a check walks only the sockets
 * still in HTTP (not the websockets), so it is cheap.
 *
 * @throws InvalidLimits when the request timeout is shorter than the headers timeout.
 */
export function serverTimeouts(
  limits: Pick<RelayLimits, "headersTimeoutMs" | "requestTimeoutMs">,
): ServerTimeouts {
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new InvalidLimits(
      `limits: request_timeout_ms (${limits.requestTimeoutMs}) must be at least headers_timeout_ms (${limits.headersTimeoutMs}): a request includes its headers`,
    );
  }
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, limits.headersTimeoutMs / 4)),
  };
}

/**
 * Caps the relay's TCP connections and counts what is refused (ARCHITECTURE.md, "The relay"): a
 * socket past
 * `maxConnections` is dropped by Node before any HTTP parsing; a client too slow with its
 * headers, its request or its TLS handshake gets 408 and is closed. Each refusal is counted in
 * `outpost_relay_rejections_total`; warnings are throttled, since a flood is thousands a second.
 */
export function guardConnections(
  server: HttpServer | HttpsServer,
  deps: { maxConnections: number; logger: Logger; metrics: RelayMetrics },
): void {
  const fileLimit = openFileLimit();
  const { cap, lowered } = connectionCapFor(deps.maxConnections, fileLimit);
  if (lowered) {
    deps.logger.warn(
      { maxConnections: deps.maxConnections, openFileLimit: fileLimit, cap },
      `max_connections ${deps.maxConnections} does not fit the open-file limit ${fileLimit}: holding at most ${cap} connections; raise LimitNOFILE (ulimit -n) or lower max_connections`,
    );
  }
  server.maxConnections = cap;

  server.on("connection", (socket: Socket) => {
    deps.metrics.tcpConnections.inc();
    socket.once("close", () => deps.metrics.tcpConnections.dec());
  });

  const full = new ThrottledWarning(deps.logger, { intervalMs: WARNING_INTERVAL_MS });
  server.on("drop", (dropped) => {
    deps.metrics.rejections.inc({ reason: "connection-limit" });
    full.warn(
      { remoteAddress: dropped?.remoteAddress, reason: "connection-limit", maxConnections: cap },
      `connection refused: the relay holds its limit of ${cap} connections (max_connections)`,
    );
  });

  const slow = new ThrottledWarning(deps.logger, { intervalMs: WARNING_INTERVAL_MS });
  const timedOut = (socket: Duplex, what: string) => {
    deps.metrics.rejections.inc({ reason: "request-timeout" });
    slow.warn(
      { remoteAddress: (socket as Socket).remoteAddress, reason: "request-timeout" },
      `connection closed: ${what} not complete in time`,
    );
  };
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") timedOut(socket, "request headers or body");
    answerClientError(error, socket);
  });
  server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ERR_TLS_HANDSHAKE_TIMEOUT") timedOut(socket, "TLS handshake");
    socket.destroy();
  });
}

/**
 * What Node answers a bad or slow request with when no `clientError` listener exists
 * (lib/_http_server.js, socketOnError), kept now that there is one.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const written = (socket as Socket).bytesWritten ?? 0;
  if (error.code !== "ECONNRESET" && socket.writable && written === 0) {
    const status =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "408 Request Timeout"
        : error.code === "HPE_HEADER_OVERFLOW"
          ? "431 Request Header Fields Too Large"
          : "400 Bad Request";
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy();
}
