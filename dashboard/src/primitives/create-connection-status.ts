import { type Accessor, createSignal, onCleanup } from "solid-js";
import type { ConnectionState, RelayConnection } from "../sync/relay-connection.js";

/** What the header shows about the link to the relay. */
export type ConnectionStatus =
  | { kind: "online" }
  | { kind: "syncing" }
  | { kind: "connecting" }
  | { kind: "offline"; reason: string; retryAt: number }
  | { kind: "unauthorized"; reason: string };

/** How long after the last sync message the indicator still says "syncing". */
const SYNCING_FOR_MS = 1_500;

/** The relay link's status: online, syncing (messages moving), connecting, offline, refused. */
export function createConnectionStatus(connection: RelayConnection): Accessor<ConnectionStatus> {
  const [state, setState] = createSignal<ConnectionState>(connection.state);
  const [busy, setBusy] = createSignal(false);
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const offState = connection.onStateChange(setState);
  const offTraffic = connection.onTraffic(() => {
    setBusy(true);
    clearTimeout(quiet);
    quiet = setTimeout(() => setBusy(false), SYNCING_FOR_MS);
  });
  onCleanup(() => {
    offState();
    offTraffic();
    clearTimeout(quiet);
  });
  return () => {
    const current = state();
    switch (current.kind) {
      case "connected":
        return busy() ? { kind: "syncing" } : { kind: "online" };
      case "offline":
        return { kind: "offline", reason: current.reason, retryAt: current.retryAt };
      case "unauthorized":
        return { kind: "unauthorized", reason: current.reason };
      default:
        return { kind: "connecting" };
    }
  };
}
