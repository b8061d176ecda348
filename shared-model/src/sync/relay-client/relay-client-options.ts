import type { ReconnectSchedule } from "../reconnect-schedule.js";
import type { RelaySocket, RelayTransport } from "./relay-transport.js";

/** Runs `callback` after `ms` and returns what cancels it. */
export type StartTimer = (callback: () => void, ms: number) => () => void;

/** Where a client reports a frame it ignores or an error the relay sent. */
export interface RelayClientLog {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** What a relay client is given besides the URL; agent and dashboard differ only in these. */
export interface RelayClientOptions<Socket extends RelaySocket> {
  transport: RelayTransport<Socket>;
  /** When to try again after a failure (a {@link ReconnectSchedule}). */
  schedule: Pick<ReconnectSchedule, "connected" | "nextDelayMs">;
  log: RelayClientLog;
  /** Without an answer this soon the repo is told the network is ready: offline is a state too. */
  readyAnywayMs: number;
  /** An attempt that has not joined by then is closed; by default only the transport's own limit. */
  joinTimeoutMs?: number;
  /** The close reason sent to the relay when the client stops ("agent stopping"). */
  goodbye: string;
  /** The wall clock for `retryAt`; `Date.now` by default. */
  now?: () => number;
  /** `setTimeout` by default; the agent's does not keep its process alive. */
  timer?: StartTimer;
}
