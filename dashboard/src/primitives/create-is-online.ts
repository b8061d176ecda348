import { createSignal, onCleanup } from "solid-js";
import type { PresenceBoard } from "../sync/presence-board.js";
import { createNow } from "./create-now.js";

/**
 * "Online now" as a reactive read: true while the device's agent is heard (its presence
 * heartbeats). Re-evaluated on every heartbeat and every `everyMs`, since presence expires
 * without any event.
 */
export function createIsOnline(
  presence: PresenceBoard,
  everyMs: number,
): (deviceId: string) => boolean {
  const [heard, setHeard] = createSignal(0);
  const now = createNow(everyMs);
  onCleanup(presence.onHeard(() => setHeard((count) => count + 1)));
  return (deviceId) => {
    heard();
    return presence.isOnline(deviceId, now());
  };
}
