/**
 * Test support: a WHATWG WebSocket played by the test, for relay clients. Never imported by
 * product code.
 */
import { cbor } from "@automerge/automerge-repo/slim";
import type { RelaySocket } from "../sync/relay-client/relay-transport.js";

type Listener = (event: { data: unknown } & { code: number; reason: string }) => void;

/**
 * A socket that does what the test says: {@link accept} opens it, {@link receive} delivers a
 * frame from the relay, {@link end} closes it from the relay's side (after an error, if asked).
 * What the client sends is kept decoded in {@link sent}; a send on a socket that is not open
 * throws, as a browser's does.
 */
export class FakeWebSocket implements RelaySocket {
  binaryType = "blob";
  readyState = 0;
  /** Every frame the client sent, decoded from CBOR. */
  readonly sent: Record<string, unknown>[] = [];
  /** The client's `close` calls, in order. */
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];
  readonly #listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError: the socket is not open");
    this.sent.push(cbor.decode(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  /** The relay accepted the upgrade: the socket opens. */
  accept(): void {
    this.readyState = 1;
    this.#dispatch("open", {});
  }

  /** A binary frame from the relay carrying `message` as CBOR. */
  receive(message: unknown): void {
    const bytes = cbor.encode(message);
    this.receiveRaw(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** A frame from the relay as the socket delivers it (`ArrayBuffer`, or a string for text). */
  receiveRaw(data: unknown): void {
    this.#dispatch("message", { data });
  }

  /** The socket closes with `code` and `reason`, after an error event if `error` is set. */
  end(code: number, reason = "", options: { error?: boolean } = {}): void {
    if (options.error) this.#dispatch("error", {});
    this.readyState = 3;
    this.#dispatch("close", { code, reason });
  }

  #dispatch(type: string, event: Partial<{ data: unknown; code: number; reason: string }>): void {
    const full = { data: undefined, code: 0, reason: "", ...event };
    for (const listener of this.#listeners.get(type) ?? []) listener(full);
  }
}
