import {
  type BackoffPolicy,
  CLOSE_REVOKED,
  ReconnectSchedule,
  RelayClient,
  type RelayFailure,
  type RelayTransport,
  type SocketEnd,
} from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

export type { ConnectionState } from "@outpost/shared-model";

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

/** What the relay's session endpoint says of the token. */
type TokenCheck = () => Promise<"valid" | "refused" | "unknown">;

/**
 * The dashboard's websocket link to the relay: the shared {@link RelayClient} over the browser's
 * `WebSocket`, retrying within 1 s to 30 s ({@link DASHBOARD_BACKOFF}). Its state is shown in the
 * header rather than logged.
 */
export class RelayConnection extends RelayClient<WebSocket> {
  /**
   * @param url the relay's sync endpoint with the token: `wss://relay/sync?token=…`
   * @param options.checkToken asks the relay (over HTTP) whether the token is still valid
   */
  constructor(url: string, options: { checkToken: TokenCheck; backoff?: BackoffPolicy }) {
    super(url, {
      transport: browserTransport(options.checkToken),
      schedule: new ReconnectSchedule(options.backoff ?? DASHBOARD_BACKOFF),
      log: makeLogger("relay"),
      readyAnywayMs: READY_ANYWAY_MS,
      joinTimeoutMs: CONNECT_TIMEOUT_MS,
      goodbye: "dashboard closing",
    });
  }
}

/**
 * The browser's `WebSocket`. A browser cannot see the HTTP status of a refused upgrade, so when a
 * connection fails before the relay answered, the session endpoint is asked whether the token
 * still holds ("Token refused" rather than "Offline").
 */
function browserTransport(checkToken: TokenCheck): RelayTransport<WebSocket> {
  return {
    open: (url) => new WebSocket(url),
    diagnose(_socket: WebSocket, end: SocketEnd): RelayFailure | Promise<RelayFailure> {
      if (end.code === CLOSE_REVOKED) {
        return { kind: "unauthorized", reason: end.reason || "token revoked" };
      }
      if (end.joined) {
        const detail = end.reason ? `: ${end.reason}` : "";
        return { kind: "offline", reason: `connection closed (${end.code}${detail})` };
      }
      return checkToken().then(
        (answer): RelayFailure =>
          answer === "refused"
            ? { kind: "unauthorized", reason: "the relay refused the token" }
            : {
                kind: "offline",
                reason: "cannot reach the relay (is it running, is this device online?)",
              },
      );
    },
  };
}
