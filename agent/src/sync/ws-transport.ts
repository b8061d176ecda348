import {
  CLOSE_REVOKED,
  type RelayFailure,
  type RelayTransport,
  type SocketEnd,
} from "@outpost/shared-model";
import WebSocket from "ws";

/** How long the opening handshake may take before the attempt counts as failed. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * The agent's sockets to the relay: the `ws` package, which (unlike a browser) sees why an attempt
 * failed: the refused upgrade's HTTP status and JSON error (401: the token), and the system's
 * error (a host name that does not resolve, a refused connection).
 */
export class WsTransport implements RelayTransport<WebSocket> {
  /** Why each socket failed, once known; its close reports it. */
  readonly #failures = new WeakMap<WebSocket, RelayFailure>();
  /** The latest attempt's socket: while connected, the open connection. */
  latest: WebSocket | undefined;

  open(url: string): WebSocket {
    const socket = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk.slice(0, 500 - body.length);
      });
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const said = errorOf(body);
        this.#failures.set(
          socket,
          status === 401
            ? { kind: "unauthorized", reason: `the relay refused the token (HTTP 401: ${said})` }
            : { kind: "offline", reason: `the relay answered HTTP ${status}: ${said}` },
        );
        socket.terminate();
      });
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (this.#failures.has(socket)) return;
      this.#failures.set(socket, { kind: "offline", reason: describeSocketError(error) });
    });
    this.latest = socket;
    return socket;
  }

  diagnose(socket: WebSocket, end: SocketEnd): RelayFailure {
    const failure = this.#failures.get(socket);
    if (failure !== undefined) return failure;
    return end.code === CLOSE_REVOKED
      ? { kind: "unauthorized", reason: `the relay closed the connection: ${end.reason}` }
      : {
          kind: "offline",
          reason: `connection closed (${end.code}${end.reason ? `: ${end.reason}` : ""})`,
        };
  }
}

/** The `error` of the relay's JSON error body, or the body itself. */
function errorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON: say what it was
  }
  return body.trim() || "no details";
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOTFOUND") return `cannot resolve the relay's host name (${error.message})`;
  if (error.code === "ECONNREFUSED") return "connection refused (is the relay running?)";
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
