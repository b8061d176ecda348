import type { Message, PeerId, PeerMetadata } from "@automerge/automerge-repo";
import { cbor, NetworkAdapter } from "@automerge/automerge-repo/slim";
import type { Logger } from "@outpost/shared-model";
import { type BackoffPolicy, ReconnectSchedule } from "@outpost/shared-model";
import WebSocket from "ws";

/** Where the connection to the relay stands; `reason` says why it is not connected. */
export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected"; relayPeerId: PeerId }
  /** The relay cannot be reached, refused the upgrade, or dropped the connection. */
  | { kind: "offline"; reason: string; retryInMs: number }
  /** The relay refused the token (HTTP 401, or closed with 4001: revoked). */
  | { kind: "unauthorized"; reason: string; retryInMs: number }
  | { kind: "stopped" };

/** How long the opening handshake may take before the attempt counts as failed. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Without an answer this soon, the repo is told the network is ready (offline is a state too). */
const READY_ANYWAY_MS = 1_000;

/**
 * The agent's websocket link to the relay, an automerge-repo network adapter written for devices
 * that are offline for days. Unlike the stock client adapter (2.5.6) it never throws out of a
 * socket event (the stock one rethrows HTTP 401, DNS failures and resets, which ends the process),
 * never abandons a socket still connecting (the stock one opens another every 5 s and leaves the
 * first open on the relay), waits between attempts in proportion to the outage with full jitter
 * (1 s to 5 min, see {@link ReconnectSchedule}), tries at once when told the network changed
 * ({@link retryNow}), and reports each change of state once: a relay down for three days is one
 * log line, not 26,000.
 */
export class RelayConnection extends NetworkAdapter {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #schedule: ReconnectSchedule;
  readonly #listeners = new Set<(state: ConnectionState) => void>();
  #state: ConnectionState = { kind: "stopped" };
  #socket: WebSocket | undefined;
  #relayPeerId: PeerId | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** Why the current attempt failed, once known; the close that follows reports it. */
  #failure: { kind: "offline" | "unauthorized"; reason: string } | undefined;
  #stopped = true;
  /** The last state logged (kind and reason), so a repeated failure is not logged again. */
  #lastReported: string | undefined;
  #ready = false;
  #markReady: () => void = () => {};
  readonly #readyPromise = new Promise<void>((resolve) => {
    this.#markReady = resolve;
  });

  /**
   * @param url the relay's sync endpoint with the token: `wss://relay/sync?token=...`
   */
  constructor(url: string, options: { logger: Logger; backoff?: BackoffPolicy }) {
    super();
    this.#url = url;
    this.#logger = options.logger;
    this.#schedule = new ReconnectSchedule(options.backoff);
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Calls `listener` on every change of state. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Round trip to the relay in ms, by a websocket ping on the open connection; `undefined` when
   * not connected or when no pong comes within `timeoutMs`.
   */
  roundTripMs(timeoutMs = 5_000): Promise<number | undefined> {
    const socket = this.#socket;
    if (this.#relayPeerId === undefined || socket?.readyState !== WebSocket.OPEN) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const sentAt = performance.now();
      const done = (value: number | undefined) => {
        clearTimeout(timer);
        socket.off("pong", onPong);
        resolve(value);
      };
      const onPong = () => done(performance.now() - sentAt);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      socket.on("pong", onPong);
      try {
        socket.ping();
      } catch {
        done(undefined);
      }
    });
  }

  /**
   * Tries again now instead of waiting out the backoff: the device's network changed or it woke
   * from sleep, so the relay may be reachable although the last attempt failed. Does nothing while
   * connected or connecting.
   */
  retryNow(): void {
    if (this.#stopped || this.#socket !== undefined) return;
    clearTimeout(this.#retry);
    this.#open();
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#stopped = false;
    setTimeout(() => this.#becomeReady(), READY_ANYWAY_MS).unref();
    this.#open();
  }

  send(message: Message): void {
    // While not connected, a message has nowhere to go; sync resends what matters on reconnect.
    if (this.#relayPeerId === undefined || this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#socket.send(cbor.encode(message));
  }

  disconnect(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) {
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, "agent stopping");
    }
    this.#lostRelay();
    this.#setState({ kind: "stopped" });
  }

  #open(): void {
    if (this.#stopped) return;
    this.#failure = undefined;
    this.#setState({ kind: "connecting" });
    const socket = new WebSocket(this.#url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.#socket = socket;
    socket.binaryType = "nodebuffer";
    socket.on("open", () => {
      socket.send(
        cbor.encode({
          type: "join",
          senderId: this.peerId,
          peerMetadata: this.peerMetadata,
          supportedProtocolVersions: ["1"],
        }),
      );
    });
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk.slice(0, 500 - body.length);
      });
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const said = errorOf(body);
        this.#failure =
          status === 401
            ? { kind: "unauthorized", reason: `the relay refused the token (HTTP 401: ${said})` }
            : { kind: "offline", reason: `the relay answered HTTP ${status}: ${said}` };
        socket.terminate();
      });
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // A close always follows; it schedules the next attempt.
      this.#failure ??= { kind: "offline", reason: describeSocketError(error) };
    });
    socket.on("message", (data: Buffer) => this.#receive(data));
    socket.on("close", (code, reason) => {
      if (this.#socket !== socket) return; // an old socket, already replaced or stopped
      this.#socket = undefined;
      const text = reason.toString("utf8");
      this.#failure ??=
        code === 4001
          ? { kind: "unauthorized", reason: `the relay closed the connection: ${text}` }
          : { kind: "offline", reason: `connection closed (${code}${text ? `: ${text}` : ""})` };
      this.#lostRelay();
      this.#scheduleRetry(this.#failure);
    });
  }

  #receive(data: Buffer): void {
    let message: { type?: unknown; senderId?: unknown; message?: unknown };
    try {
      message = cbor.decode(new Uint8Array(data)) as typeof message;
    } catch {
      this.#logger.warn("the relay sent a frame that is not CBOR; ignored");
      return;
    }
    if (message.type === "peer" && typeof message.senderId === "string") {
      this.#relayPeerId = message.senderId as PeerId;
      this.#schedule.connected();
      this.#becomeReady();
      this.#setState({ kind: "connected", relayPeerId: this.#relayPeerId });
      this.emit("peer-candidate", {
        peerId: this.#relayPeerId,
        peerMetadata: (message as { peerMetadata?: PeerMetadata }).peerMetadata ?? {},
      });
    } else if (message.type === "error") {
      this.#logger.warn({ relayError: message.message }, `the relay reported: ${message.message}`);
    } else {
      this.emit("message", message as Message);
    }
  }

  #lostRelay(): void {
    if (this.#relayPeerId === undefined) return;
    const peerId = this.#relayPeerId;
    this.#relayPeerId = undefined;
    this.emit("peer-disconnected", { peerId });
  }

  #scheduleRetry(failure: { kind: "offline" | "unauthorized"; reason: string }): void {
    this.#becomeReady();
    if (this.#stopped) return;
    const retryInMs = this.#schedule.nextDelayMs();
    this.#setState({ ...failure, retryInMs });
    this.#retry = setTimeout(() => this.#open(), retryInMs);
    this.#retry.unref();
  }

  #becomeReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#markReady();
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
    if (state.kind === "connecting") return;
    // One line per change, not per retry: the same failure again is only debug.
    // A revoked token shows first as a 4001 close, then as a 401 on every retry: one error.
    const key =
      "reason" in state && state.kind !== "unauthorized"
        ? `${state.kind}: ${state.reason}`
        : state.kind;
    if (key === this.#lastReported) {
      this.#logger.debug({ state }, `still ${key}`);
      return;
    }
    this.#lastReported = key;
    if (state.kind === "connected") {
      this.#logger.info({ relayPeerId: state.relayPeerId }, "connected to the relay");
    } else if (state.kind === "unauthorized") {
      this.#logger.error({ reason: state.reason }, `${state.reason}; retrying with backoff`);
    } else if (state.kind === "offline") {
      this.#logger.warn({ reason: state.reason }, `relay unreachable: ${state.reason}; retrying`);
    } else {
      this.#logger.info("disconnected from the relay");
    }
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
