import type { RelayFailure } from "./connection-state.js";

/**
 * The part of the WHATWG `WebSocket` a relay client uses. The browser's `WebSocket` fits, and so
 * does the `ws` package's (its `addEventListener` and `binaryType = "arraybuffer"` follow the
 * standard), so one client runs in both.
 */
export interface RelaySocket {
  /** Set to `"arraybuffer"` by the client: binary frames arrive as `ArrayBuffer`. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed (the standard's constants). */
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
}

/** How a socket ended, as the client saw it. */
export interface SocketEnd {
  /** The close event's code and reason. */
  code: number;
  reason: string;
  /** The relay had answered the join: a connection that was up ended, not a failed attempt. */
  joined: boolean;
}

/**
 * What differs between the places a relay client runs: how a socket is made, and how a socket
 * that ended is explained (a Node client sees the refused upgrade's HTTP status; a browser sees
 * nothing and has to ask).
 */
export interface RelayTransport<Socket extends RelaySocket = RelaySocket> {
  /** A new socket for one attempt. May throw (a malformed URL): the attempt counts as offline. */
  open(url: string): Socket;
  /** Why `socket` ended; called once per socket, after its close event. */
  diagnose(socket: Socket, end: SocketEnd): RelayFailure | Promise<RelayFailure>;
}
