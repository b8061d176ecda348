import type { Message } from "@automerge/automerge-repo";
import { cbor } from "@automerge/automerge-repo/slim";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import type { Logger, Principal } from "@outpost/shared-model";
import { describePrincipal, principalOfPeerId, samePrincipal } from "@outpost/shared-model";
import type { RawData, WebSocket, WebSocketServer } from "ws";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { PeerRequests } from "../sync/peer-requests.js";
import type { FrameProblem } from "./frame-guard.js";
import { guardFrame, isFrameProblem } from "./frame-guard.js";

/** What the HTTP upgrade established about a socket before any frame arrives. */
interface Connection {
  principal: Principal;
  tokenHash: string;
  remoteAddress: string;
  /** The peer ID its `join` announced; every later frame must carry it. */
  peerId?: string;
}

/**
 * automerge-repo's websocket server adapter with identity (DESIGN §5). The HTTP upgrade has
 * already checked the token; {@link adopt} binds the principal to the socket, and this class
 * then checks every frame before automerge-repo sees it: it must decode to a well-formed message
 * (see `guardFrame`), the `join` must announce a peer ID of this principal, and every later frame
 * must come from that peer ID. A socket that breaks a rule is closed with a code and a reason
 * saying which, the refusal is logged and counted, and no one else is disturbed.
 */
export class AuthenticatedServerAdapter extends WebSocketServerAdapter {
  readonly #connections = new Map<WebSocket, Connection>();
  readonly #verifiedPeers = new Map<string, Principal>();
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #requests: PeerRequests;
  readonly #joinTimeoutMs: number;

  constructor(
    server: WebSocketServer,
    logger: Logger,
    metrics: RelayMetrics,
    requests: PeerRequests,
    joinTimeoutMs: number,
  ) {
    // Same `ws` class; only the type declarations differ (the stock adapter's come through a CJS path).
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
    this.#logger = logger;
    this.#metrics = metrics;
    this.#requests = requests;
    this.#joinTimeoutMs = joinTimeoutMs;
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
    // Before automerge-repo asks `access`: this peer itself asked about this document.
    this.#requests.note(message.senderId, message.documentId as string);
    this.emit("message", message as unknown as Message);
  }

  #peerStillConnected(peerId: string): boolean {
    for (const connection of this.#connections.values())
      if (connection.peerId === peerId) return true;
    return false;
  }

  #refuse(socket: WebSocket, problem: FrameProblem | ReturnType<typeof forged>): void {
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
