import type { Message, PeerId, PeerMetadata } from "@automerge/automerge-repo/slim";
import { cbor, NetworkAdapter } from "@automerge/automerge-repo/slim";
import { messageOf } from "../../util/message-of.js";
import type { ConnectionState, RelayFailure } from "./connection-state.js";
import type { RelayClientOptions, StartTimer } from "./relay-client-options.js";
import type { RelaySocket, RelayTransport } from "./relay-transport.js";

/** The WHATWG `readyState` of an open socket. */
const OPEN = 1;

const setTimer: StartTimer = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

const nothing = () => {};

/**
 * A client's websocket link to the relay, as an automerge-repo network adapter; the agent and the
 * dashboard each supply a {@link RelayTransport}. Written for peers that are offline for days:
 * unlike the stock client adapter (2.5.6) it never throws out of a socket event (the stock one
 * rethrows HTTP 401, DNS failures and resets, which ends a Node process), keeps one socket at a
 * time (the stock one opens another every 5 s and leaves the first open on the relay), waits
 * between attempts as its schedule says, tries at once when told the network is back
 * ({@link retryNow}), reports each change of state to its listeners, sends the relay only its own
 * ephemeral messages, and ignores (and logs) a frame that is not a CBOR message.
 */
export class RelayClient<Socket extends RelaySocket = RelaySocket> extends NetworkAdapter {
  readonly #url: string;
  readonly #options: RelayClientOptions<Socket>;
  readonly #now: () => number;
  readonly #timer: StartTimer;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  readonly #trafficListeners = new Set<() => void>();
  #state: ConnectionState = { kind: "stopped" };
  #socket: Socket | undefined;
  /** Counts attempts, so a late diagnosis of an old one schedules nothing. */
  #attempt = 0;
  #relayPeerId: PeerId | undefined;
  #cancelRetry = nothing;
  #cancelJoinTimeout = nothing;
  #stopped = true;
  #ready = false;
  #markReady: () => void = nothing;
  readonly #readyPromise = new Promise<void>((resolve) => {
    this.#markReady = resolve;
  });

  /** @param url the relay's sync endpoint with the token: `wss://relay/sync?token=…` */
  constructor(url: string, options: RelayClientOptions<Socket>) {
    super();
    this.#url = url;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#timer = options.timer ?? setTimer;
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Calls `listener` whenever a sync message goes out or comes in; returns the unsubscribe. */
  onTraffic(listener: () => void): () => void {
    this.#trafficListeners.add(listener);
    return () => this.#trafficListeners.delete(listener);
  }

  /**
   * Tries again now instead of waiting out the backoff: the network changed, the machine woke or
   * the browser is back online, so the relay may be reachable although the last attempt failed.
   * Does nothing while connected or connecting.
   */
  retryNow(): void {
    if (this.#stopped || this.#socket !== undefined) return;
    this.#cancelRetry();
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
    this.#timer(() => this.#becomeReady(), this.#options.readyAnywayMs);
    this.#open();
  }

  send(message: Message): void {
    // While not connected a message has nowhere to go; sync resends what matters on reconnect.
    if (this.#relayPeerId === undefined || this.#socket?.readyState !== OPEN) return;
    // automerge-repo forwards every ephemeral message it receives to all its peers but the one
    // who wrote it, so one the relay brought from another peer (an agent's heartbeat reaching a
    // dashboard) would go straight back to the relay, which wants only ours.
    if (message.type === "ephemeral" && message.senderId !== this.peerId) return;
    this.#socket.send(cbor.encode(message));
    this.#traffic();
  }

  disconnect(): void {
    this.#stopped = true;
    this.#cancelRetry();
    this.#cancelJoinTimeout();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, this.#options.goodbye);
    this.#lostRelay();
    this.#setState({ kind: "stopped" });
  }

  #open(): void {
    if (this.#stopped) return;
    const attempt = ++this.#attempt;
    this.#setState({ kind: "connecting" });
    let socket: Socket;
    try {
      socket = this.#options.transport.open(this.#url);
    } catch (error) {
      this.#scheduleRetry({ kind: "offline", reason: messageOf(error) });
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    if (this.#options.joinTimeoutMs !== undefined) {
      this.#cancelJoinTimeout = this.#timer(() => {
        if (this.#socket === socket && this.#relayPeerId === undefined) socket.close();
      }, this.#options.joinTimeoutMs);
    }
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
    // A close always follows an error; the transport's diagnosis says what went wrong.
    socket.addEventListener("error", nothing);
    socket.addEventListener("message", (event) => this.#receive(event.data));
    socket.addEventListener("close", (event) => this.#closed(socket, attempt, event));
  }

  #closed(socket: Socket, attempt: number, event: { code: number; reason: string }): void {
    if (this.#socket !== socket) return; // an old socket, already replaced or stopped
    this.#cancelJoinTimeout();
    this.#socket = undefined;
    const joined = this.#relayPeerId !== undefined;
    this.#lostRelay();
    let diagnosis: RelayFailure | Promise<RelayFailure>;
    try {
      diagnosis = this.#options.transport.diagnose(socket, {
        code: event.code,
        reason: event.reason,
        joined,
      });
    } catch (error) {
      diagnosis = { kind: "offline", reason: messageOf(error) };
    }
    if (!(diagnosis instanceof Promise)) {
      this.#scheduleRetry(diagnosis);
      return;
    }
    void diagnosis
      .catch((error: unknown): RelayFailure => ({ kind: "offline", reason: messageOf(error) }))
      .then((failure) => {
        // An attempt begun meanwhile (retryNow) reports for itself.
        if (attempt === this.#attempt) this.#scheduleRetry(failure);
      });
  }

  #receive(data: unknown): void {
    let message: unknown;
    try {
      if (typeof data === "string") throw new TypeError("a text frame");
      message = cbor.decode(new Uint8Array(data as ArrayBuffer));
    } catch {
      this.#options.log.warn("the relay sent a frame that is not CBOR; ignored");
      return;
    }
    if (typeof message !== "object" || message === null) {
      this.#options.log.warn("the relay sent a frame that is not a message; ignored");
      return;
    }
    this.#traffic();
    const { type, senderId } = message as { type?: unknown; senderId?: unknown };
    if (type === "peer" && typeof senderId === "string") {
      this.#joined(senderId as PeerId, (message as { peerMetadata?: PeerMetadata }).peerMetadata);
    } else if (type === "error") {
      const said = (message as { message?: unknown }).message;
      this.#options.log.warn(`the relay reported: ${String(said)}`, { relayError: said });
    } else {
      this.emit("message", message as Message);
    }
  }

  #joined(relayPeerId: PeerId, peerMetadata: PeerMetadata | undefined): void {
    this.#cancelJoinTimeout();
    this.#relayPeerId = relayPeerId;
    this.#options.schedule.connected();
    this.#becomeReady();
    this.#setState({ kind: "connected", relayPeerId });
    this.emit("peer-candidate", { peerId: relayPeerId, peerMetadata: peerMetadata ?? {} });
  }

  #lostRelay(): void {
    if (this.#relayPeerId === undefined) return;
    const peerId = this.#relayPeerId;
    this.#relayPeerId = undefined;
    this.emit("peer-disconnected", { peerId });
  }

  #scheduleRetry(failure: RelayFailure): void {
    this.#becomeReady();
    if (this.#stopped) return;
    const delayMs = this.#options.schedule.nextDelayMs();
    this.#setState({ kind: failure.kind, reason: failure.reason, retryAt: this.#now() + delayMs });
    this.#cancelRetry = this.#timer(() => this.#open(), delayMs);
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
    for (const listener of this.#stateListeners) listener(state);
  }
}
