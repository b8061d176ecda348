import {
  type BackoffPolicy,
  type Logger,
  ReconnectSchedule,
  RelayClient,
  type StartTimer,
} from "@outpost/shared-model";
import WebSocket from "ws";
import { logConnectionStates } from "./connection-state-log.js";
import { WsTransport } from "./ws-transport.js";

export type { ConnectionState } from "@outpost/shared-model";

/** Without an answer this soon, the repo is told the network is ready (offline is a state too). */
const READY_ANYWAY_MS = 1_000;

/** Timers that do not keep the agent's process alive. */
const unrefTimer: StartTimer = (callback, ms) => {
  const timer = setTimeout(callback, ms).unref();
  return () => clearTimeout(timer);
};

/**
 * The agent's websocket link to the relay: the shared {@link RelayClient} over the `ws` package
 * ({@link WsTransport}), waiting between attempts in proportion to the outage with full jitter
 * (1 s to 5 min, see {@link ReconnectSchedule}) and logging each change of state once
 * ({@link logConnectionStates}). It adds the round trip to the relay, for replica status.
 */
export class RelayConnection extends RelayClient<WebSocket> {
  readonly #transport: WsTransport;

  /**
   * @param url the relay's sync endpoint with the token: `wss://relay/sync?token=...`
   * @param options.now the wall clock for `retryAt`; `Date.now` by default
   */
  constructor(
    url: string,
    options: { logger: Logger; backoff?: BackoffPolicy; now?: () => number },
  ) {
    const transport = new WsTransport();
    super(url, {
      transport,
      schedule: new ReconnectSchedule(options.backoff),
      log: { warn: (message, details) => options.logger.warn(details ?? {}, message) },
      readyAnywayMs: READY_ANYWAY_MS,
      goodbye: "agent stopping",
      now: options.now,
      timer: unrefTimer,
    });
    this.#transport = transport;
    this.onStateChange(logConnectionStates(options.logger));
  }

  /**
   * Round trip to the relay in ms, by a websocket ping on the open connection; `undefined` when
   * not connected or when no pong comes within `timeoutMs`.
   */
  roundTripMs(timeoutMs = 5_000): Promise<number | undefined> {
    const socket = this.#transport.latest;
    if (this.state.kind !== "connected" || socket?.readyState !== WebSocket.OPEN) {
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
}
