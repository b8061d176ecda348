import type { Message, PeerId, PeerMetadata } from "@automerge/automerge-repo/slim";
import { cbor, NetworkAdapter } from "@automerge/automerge-repo/slim";
import { type BackoffPolicy, messageOf, ReconnectSchedule } from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

const log = makeLogger("relay");

/** Where the dashboard's link to the relay stands; `reason` says why it is not connected. */
export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected"; relayPeerId: PeerId }
  /** The relay cannot be reached or dropped the connection; the next attempt is scheduled. */
  | { kind: "offline"; reason: string; retryAt: number }
  /** The relay refused the token: revoked, or never valid. Signing in again is the way out. */
  | { kind: "unauthorized"; reason: string; retryAt: number }
  | { kind: "stopped" };

/** An admin at a desk wants the relay back quickly: 1 s to 30 s, a quarter of the outage. */
export const DASHBOARD_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 1_000,
  capMs: 30_000,
  outageShare: 0.25,
  random: Math.random,
});

/** An attempt that has not joined by then is abandoned (the relay closes it at 10 s anyway). */
const CONNECT_TIMEOUT_MS = 15_000;
/** Without an answer this soon the repo is told the network is ready: offline is a state too. */
const READY_ANYWAY_MS = 500;
/** The relay closes with this code when a token is revoked while connected. */
const CLOSE_REVOKED = 4001;

/**
 * The dashboard's websocket link to the relay, an automerge-repo network adapter. Like the agent's
 * it keeps one socket at a time, retries with backoff and full jitter, and reports each change of
 * state. A browser cannot see the HTTP status of a refused upgrade, so when a connection fails
 * before the relay answered, the session endpoint is asked whether the token still holds.
 */
export class RelayConnection extends NetworkAdapter {
  readonly #url: string;
  readonly #checkToken: () => Promise<"valid" | "refused" | "unknown">;
  readonly #schedule: ReconnectSchedule;
  readonly #listeners = new Set<(state: ConnectionState) => void>();
  readonly #trafficListeners = new Set<() => void>();
  #state: ConnectionState = { kind: "stopped" };
  #socket: WebSocket | undefined;
  #relayPeerId: PeerId | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  #ready = false;
  #markReady: () => void = () => {};
  readonly #readyPromise = new Promise<void>((resolve) => {
    this.#markReady = resolve;
  });

  /**
   * @param url the relay's sync endpoint with the token: `wss://relay/sync?token=…`
   * @param checkToken asks the relay (over HTTP) whether the token is still valid
   */
  constructor(
    url: string,
    options: {
      checkToken: () => Promise<"valid" | "refused" | "unknown">;
      backoff?: BackoffPolicy;
    },
  ) {
    super();
    this.#url = url;
    this.#checkToken = options.checkToken;
    this.#schedule = new ReconnectSchedule(options.backoff ?? DASHBOARD_BACKOFF);
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` whenever a sync message goes out or comes in (the "syncing" indicator). */
  onTraffic(listener: () => void): () => void {
    this.#trafficListeners.add(listener);
    return () => this.#trafficListeners.delete(listener);
  }

  /** Tries again now instead of waiting out the backoff (the browser said it is back online). */
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
    setTimeout(() => this.#becomeReady(), READY_ANYWAY_MS);
    this.#open();
  }

  send(message: Message): void {
    // While not connected a message has nowhere to go; sync resends what matters on reconnect.
    if (this.#relayPeerId === undefined || this.#socket?.readyState !== WebSocket.OPEN) return;
    // automerge-repo forwards every ephemeral message to all peers, the relay it came from
    // included (an agent's heartbeat would go straight back): only our own go to the relay.
    if (message.type === "ephemeral" && message.senderId !== this.peerId) return;
    this.#socket.send(cbor.encode(message));
    this.#traffic();
  }

  disconnect(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#connectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, "dashboard closing");
    this.#lostRelay();
    this.#setState({ kind: "stopped" });
  }

  #open(): void {
    if (this.#stopped) return;
    this.#setState({ kind: "connecting" });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch (error) {
      this.#scheduleRetry({ kind: "offline", reason: messageOf(error) });
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    this.#connectTimer = setTimeout(() => {
      if (this.#socket === socket && this.#relayPeerId === undefined) socket.close();
    }, CONNECT_TIMEOUT_MS);
    socket.addEventListener("open", () => {
      socket.send(
        cbor.encode({
          type: "join",
          senderId: this.peerId,
          peerMetadata: this.peerMetadata,
          supportedProtocolVersions: ["1"],
        }),
      );
    });
    socket.addEventListener("message", (event: MessageEvent<ArrayBuffer>) => this.#receive(event));
    socket.addEventListener("close", (event) => void this.#closed(socket, event));
  }

  async #closed(socket: WebSocket, event: CloseEvent): Promise<void> {
    if (this.#socket !== socket) return; // an old socket, already replaced or stopped
    clearTimeout(this.#connectTimer);
    this.#socket = undefined;
    const joined = this.#relayPeerId !== undefined;
    this.#lostRelay();
    if (event.code === CLOSE_REVOKED) {
      this.#scheduleRetry({ kind: "unauthorized", reason: event.reason || "token revoked" });
      return;
    }
    // Refused before the relay answered: a browser cannot see a 401, so ask the relay directly.
    if (!joined && (await this.#checkToken()) === "refused") {
      this.#scheduleRetry({ kind: "unauthorized", reason: "the relay refused the token" });
      return;
    }
    const detail = event.reason ? `: ${event.reason}` : "";
    this.#scheduleRetry({
      kind: "offline",
      reason: joined
        ? `connection closed (${event.code}${detail})`
        : "cannot reach the relay (is it running, is this device online?)",
    });
  }

  #receive(event: MessageEvent<ArrayBuffer>): void {
    let message: { type?: unknown; senderId?: unknown; message?: unknown };
    try {
      message = cbor.decode(new Uint8Array(event.data)) as typeof message;
    } catch {
      log.warn("the relay sent a frame that is not CBOR; ignored");
      return;
    }
    this.#traffic();
    if (message.type === "peer" && typeof message.senderId === "string") {
      clearTimeout(this.#connectTimer);
      this.#relayPeerId = message.senderId as PeerId;
      this.#schedule.connected();
      this.#becomeReady();
      this.#setState({ kind: "connected", relayPeerId: this.#relayPeerId });
      this.emit("peer-candidate", {
        peerId: this.#relayPeerId,
        peerMetadata: (message as { peerMetadata?: PeerMetadata }).peerMetadata ?? {},
      });
    } else if (message.type === "error") {
      log.warn(`the relay reported: ${String(message.message)}`);
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
    const delay = this.#schedule.nextDelayMs();
    this.#setState({ ...failure, retryAt: Date.now() + delay });
    this.#retry = setTimeout(() => this.#open(), delay);
  }

  #becomeReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#markReady();
  }

  #traffic(): void {
    for (const listener of this.#trafficListeners) listener();
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
}
