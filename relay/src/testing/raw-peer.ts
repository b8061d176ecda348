/**
 * Test support: a hand-driven websocket peer that sends exactly the bytes a test gives it, to see
 * what the relay does with frames no automerge-repo client would send.
 */
import type { DocumentId } from "@automerge/automerge-repo";
import { generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { cbor } from "@automerge/automerge-repo/slim";
import WebSocket from "ws";

/** How the relay closed a socket. */
export interface CloseEvent {
  code: number;
  reason: string;
}

/** An open, authenticated raw socket to the relay's sync endpoint. */
export class RawPeer {
  readonly socket: WebSocket;
  /** Resolves when the socket closes, with the relay's code and reason. */
  readonly closed: Promise<CloseEvent>;
  /** Every frame the relay sent, decoded. */
  readonly received: unknown[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") })),
    );
    socket.on("message", (data: Buffer) => this.received.push(cbor.decode(new Uint8Array(data))));
    // A close the relay starts can race with our own sends; the close event tells the story.
    socket.on("error", () => {});
  }

  /** Connects to `syncUrl` with `token`; rejects if the upgrade is refused. */
  static open(syncUrl: string, token: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${syncUrl}?token=${encodeURIComponent(token)}`);
      socket.once("open", () => resolve(new RawPeer(socket)));
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
      socket.once("error", reject);
    });
  }

  /** Sends raw bytes as one binary frame. */
  sendBytes(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  /** Sends `value` CBOR-encoded, as automerge-repo frames are. */
  sendCbor(value: unknown): void {
    this.sendBytes(cbor.encode(value));
  }

  /** Joins as `senderId` and waits for the relay's `peer` reply. */
  async join(senderId: string): Promise<void> {
    this.sendCbor(joinMessage(senderId));
    const deadline = Date.now() + 15_000;
    while (!this.received.some((message) => typeOf(message) === "peer")) {
      if (this.socket.readyState !== WebSocket.OPEN || Date.now() > deadline) {
        const close = this.socket.readyState === WebSocket.OPEN ? undefined : await this.closed;
        throw new Error(`join as ${senderId} was not answered (${JSON.stringify(close)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** True while the socket is open (the relay has not closed it). */
  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes from our side (for sockets the relay rightly keeps open). */
  async close(): Promise<CloseEvent> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, "test done");
    return this.closed;
  }
}

/** The `join` an automerge-repo client sends first. */
export function joinMessage(senderId: string): Record<string, unknown> {
  return { type: "join", senderId, peerMetadata: {}, supportedProtocolVersions: ["1"] };
}

/** A document ID nobody has. */
export function freshDocumentId(): DocumentId {
  return parseAutomergeUrl(generateAutomergeUrl()).documentId;
}

/** `length` random bytes drawn from `random` (a seeded PRNG, so a failure can be replayed). */
export function randomBytesFrom(random: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

function typeOf(message: unknown): unknown {
  return typeof message === "object" && message !== null
    ? (message as { type?: unknown }).type
    : undefined;
}
