import type { Message } from "@automerge/automerge-repo";
import { cbor } from "@automerge/automerge-repo/slim";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import type { Logger, Principal } from "@outpost/shared-model";
import { describePrincipal, principalOfPeerId, samePrincipal } from "@outpost/shared-model";
import type { RawData, WebSocket, WebSocketServer } from "ws";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { AutomergeWork } from "../sync/automerge-work.js";
import type { PeerRequests } from "../sync/peer-requests.js";
import { guardFrame, isFrameProblem } from "./frame-guard.js";
import type { InboundSync } from "./inbound-sync.js";

/** Documents kept from automerge-repo after crashing the relay, and the work that records crashes. */
export interface QuarantineGuard {
  isQuarantined(documentId: string): boolean;
  /** Logs (rate-limited) that `peerId` asked for a quarantined document. */
  warn(documentId: string, peerId: string): void;
  work: AutomergeWork;
}

/** What the HTTP upgrade established about a socket before any frame arrives. */
interface Connection {
  principal: Principal;
  tokenHash: string;
  remoteAddress: string;
  /** The peer ID its `join` announced; every later frame must carry it. */
  peerId?: string;
}

/**
 * automerge-repo's websocket server adapter with identity (ARCHITECTURE.md, "Identity"). The HTTP
 * upgrade has already checked the token; {@link adopt} binds the principal to the socket, and this
 * class then checks every frame before automerge-repo sees it: it must decode to a well-formed
 * message (see `guardFrame`), the `join` must announce a peer ID of this principal, and every later
 * frame must come from that peer ID. A socket that breaks a rule is closed with a code and a reason
 * saying which, the refusal is logged and counted, and no one else is disturbed.
 */
export class AuthenticatedServerAdapter extends WebSocketServerAdapter {
  readonly #connections = new Map<WebSocket, Connection>();
  readonly #verifiedPeers = new Map<string, Principal>();
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #requests: PeerRequests;
  readonly #joinTimeoutMs: number;
  readonly #quarantine: QuarantineGuard;
  /** Time budgets and size bounds between checked frames and automerge-repo (see useInbound). */
  #inbound: InboundSync | undefined;
  readonly #keepAlive = new Map<string, NodeJS.Timeout>();

  constructor(
    server: WebSocketServer,
    logger: Logger,
    metrics: RelayMetrics,
    requests: PeerRequests,
    joinTimeoutMs: number,
    quarantine: QuarantineGuard,
  ) {
    // Same `ws` class; only the type declarations differ (the stock adapter's come through a CJS path).
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
    this.#logger = logger;
    this.#metrics = metrics;
    this.#requests = requests;
    this.#joinTimeoutMs = joinTimeoutMs;
    this.#quarantine = quarantine;
  }

  /** Binds an authenticated principal to a freshly upgraded socket. */
  adopt(socket: WebSocket, principal: Principal, tokenHash: string, remoteAddress: string): void {
    const adopted: Connection = { principal, tokenHash, remoteAddress };
    this.#connections.set(socket, adopted);
    this.#metrics.connections.inc({ kind: principal.kind });
    // The stock client, when a socket takes too long to open, opens another and abandons the
    // first without closing it; such sockets would count against the token's limit for ever.
    const joinTimer = setTimeout(() => {
      if (adopted.peerId !== undefined) return;
      this.#reject(socket, "join-timeout", `no join within ${this.#joinTimeoutMs} ms`);
      socket.close(1008, "no join message in time");
    }, this.#joinTimeoutMs);
    joinTimer.unref();
    socket.on("close", () => {
      clearTimeout(joinTimer);
      const connection = this.#connections.get(socket);
      this.#connections.delete(socket);
      this.#metrics.connections.dec({ kind: principal.kind });
      if (connection?.peerId !== undefined && !this.#peerStillConnected(connection.peerId)) {
        this.#verifiedPeers.delete(connection.peerId);
        this.#requests.forget(connection.peerId);
        this.#inbound?.peerLeft(connection.peerId);
        clearInterval(this.#keepAlive.get(connection.peerId));
        this.#keepAlive.delete(connection.peerId);
      }
    });
    socket.on("error", (error) => {
      // ws reports an oversized frame here, then closes the socket with 1009.
      const oversized = /max payload|too big/i.test(error.message);
      this.#reject(socket, oversized ? "oversized-frame" : "malformed-frame", error.message);
    });
  }

  /** The principal behind a connected, verified peer ID; `undefined` for anyone else. */
  principalOfPeer(peerId: string): Principal | undefined {
    return this.#verifiedPeers.get(peerId);
  }

  /** Open sockets authenticated with the token whose hash is `tokenHash`. */
  connectionCount(tokenHash: string): number {
    let count = 0;
    for (const connection of this.#connections.values())
      if (connection.tokenHash === tokenHash) count += 1;
    return count;
  }

  /** Device IDs holding at least one authenticated sync socket now. */
  connectedDeviceIds(): Set<string> {
    const connected = new Set<string>();
    for (const { principal } of this.#connections.values())
      if (principal.kind === "device") connected.add(principal.deviceId);
    return connected;
  }

  /** Closes every socket authenticated with a token that is no longer valid. */
  closeConnectionsOf(tokenHash: string, reason: string): void {
    for (const [socket, connection] of this.#connections) {
      if (connection.tokenHash === tokenHash) socket.close(4001, truncateReason(reason));
    }
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    const bytes = messageBytes as RawData as Uint8Array;
    this.#metrics.receivedMessages.inc();
    this.#metrics.receivedBytes.inc(bytes.byteLength);
    const connection = this.#connections.get(socket);
    if (connection === undefined) {
      socket.close(1008, "unauthenticated socket");
      return;
    }
    let decoded: unknown;
    try {
      decoded = cbor.decode(bytes);
    } catch {
      this.#refuse(socket, {
        closeCode: 1007,
        reason: "malformed-frame",
        detail: "frame is not valid CBOR",
      });
      return;
    }
    const message = guardFrame(decoded);
    if (isFrameProblem(message)) {
      this.#refuse(socket, message);
      return;
    }
    if (message.type === "join") {
      const claimed = principalOfPeerId(message.senderId);
      if (claimed === undefined || !samePrincipal(claimed, connection.principal)) {
        this.#refuse(
          socket,
          forged(
            `join as ${JSON.stringify(message.senderId)} does not belong to ${describePrincipal(connection.principal)}`,
          ),
        );
        return;
      }
      if (connection.peerId !== undefined && connection.peerId !== message.senderId) {
        this.#refuse(socket, forged("a socket joins once, as one peer"));
        return;
      }
      connection.peerId = message.senderId;
      this.#verifiedPeers.set(message.senderId, connection.principal);
      super.receiveMessage(bytes, socket);
      return;
    }
    if (
      message.type === "ephemeral" &&
      connection.peerId !== undefined &&
      message.senderId !== connection.peerId
    ) {
      // automerge-repo forwards every ephemeral message it receives to all its other peers, the
      // one it came from included, with the original sender: a dashboard that hears an agent's
      // heartbeat sends it back. That is gossip, not forgery; it is dropped, never passed on
      // under another's name, and the connection lives.
      this.#metrics.rejections.inc({ reason: "forwarded-ephemeral" });
      return;
    }
    if (connection.peerId === undefined || message.senderId !== connection.peerId) {
      this.#refuse(
        socket,
        forged(
          connection.peerId === undefined
            ? `${message.type} before join`
            : `${message.type} claims sender ${JSON.stringify(message.senderId)}`,
        ),
      );
      return;
    }
    // Decoded and checked once; handing on the object saves the stock adapter decoding it again.
    if (this.sockets[message.senderId as keyof typeof this.sockets] !== socket) return;
    const documentId = message.documentId as string;
    if (this.#quarantine.isQuarantined(documentId)) {
      this.#refuseQuarantined(socket, message.senderId, documentId);
      return;
    }
    const deliver = () => {
      // Before automerge-repo asks `access`: this peer itself asked about this document.
      this.#requests.note(message.senderId, documentId, message);
      this.#quarantine.work.applying(documentId, () =>
        this.emit("message", message as unknown as Message),
      );
    };
    if (this.#inbound === undefined) {
      deliver();
      return;
    }
    const senderId = message.senderId;
    this.#inbound.admit(senderId, connection.principal.kind === "device", message, {
      // As when frames were handed on as they arrived: those that came before a refusal's close
      // completes still are.
      current: () =>
        socket.readyState !== socket.CLOSED &&
        this.sockets[senderId as keyof typeof this.sockets] === socket,
      deliver,
      refuse: (problem) => this.#refuse(socket, problem),
    });
  }

  /** Every later frame of a joined peer goes through `inbound` (the relay sets it once). */
  useInbound(inbound: InboundSync): void {
    this.#inbound = inbound;
  }

  /**
   * Stops reading `peerId`'s socket (its time budget is spent). The stock adapter terminates a
   * socket that has not answered a ping within 5 s, and a paused socket's pongs are not read:
   * it is kept marked alive until it is read again.
   */
  pauseReading(peerId: string): void {
    const socket = this.sockets[peerId as keyof typeof this.sockets] as WebSocket | undefined;
    if (socket === undefined) return;
    socket.pause();
    const alive = socket as WebSocket & { isAlive?: boolean };
    clearInterval(this.#keepAlive.get(peerId));
    const timer = setInterval(() => {
      alive.isAlive = true;
    }, 1_000);
    timer.unref();
    this.#keepAlive.set(peerId, timer);
  }

  /** Reads `peerId`'s socket again. */
  resumeReading(peerId: string): void {
    clearInterval(this.#keepAlive.get(peerId));
    this.#keepAlive.delete(peerId);
    const socket = this.sockets[peerId as keyof typeof this.sockets] as WebSocket | undefined;
    socket?.resume();
  }

  /** A quarantined document never reaches automerge-repo: the peer hears it is unavailable. */
  #refuseQuarantined(socket: WebSocket, peerId: string, documentId: string): void {
    this.#metrics.rejections.inc({ reason: "document-quarantined" });
    this.#quarantine.warn(documentId, peerId);
    if (this.peerId === undefined) return;
    socket.send(
      cbor.encode({ type: "doc-unavailable", senderId: this.peerId, targetId: peerId, documentId }),
    );
  }

  #peerStillConnected(peerId: string): boolean {
    for (const connection of this.#connections.values())
      if (connection.peerId === peerId) return true;
    return false;
  }

  #refuse(
    socket: WebSocket,
    problem: { closeCode: number; reason: RejectionReason; detail: string },
  ): void {
    this.#reject(socket, problem.reason, problem.detail);
    socket.close(problem.closeCode, truncateReason(problem.detail));
  }

  #reject(socket: WebSocket, reason: RejectionReason, detail: string): void {
    const connection = this.#connections.get(socket);
    this.#metrics.rejections.inc({ reason });
    this.#logger.warn(
      {
        principal: connection ? describePrincipal(connection.principal) : undefined,
        remoteAddress: connection?.remoteAddress,
        reason,
        detail,
      },
      `closing socket: ${reason}: ${detail}`,
    );
  }
}

function forged(detail: string): { closeCode: 1008; reason: "forged-sender"; detail: string } {
  return { closeCode: 1008, reason: "forged-sender", detail };
}

/** A websocket close reason is limited to 123 bytes. */
function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason, "utf8");
  return bytes.byteLength <= 123 ? reason : `${bytes.subarray(0, 120).toString("utf8")}...`;
}
