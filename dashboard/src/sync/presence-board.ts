import { PRESENCE_TTL_MS } from "@outpost/shared-model";

/**
 * When each device's agent was last heard (its presence heartbeat, by this browser's clock):
 * "online now" without any document write. Heartbeats are not stored anywhere, so a device is
 * online here only while this dashboard is connected and hearing it.
 */
export class PresenceBoard {
  readonly #lastHeard = new Map<string, number>();
  readonly #listeners = new Set<(deviceId: string) => void>();

  /** Notes a heartbeat of `deviceId` heard at `at`. */
  heard(deviceId: string, at: number): void {
    this.#lastHeard.set(deviceId, at);
    for (const listener of this.#listeners) listener(deviceId);
  }

  /** When `deviceId` was last heard, if ever since this page opened. */
  lastHeard(deviceId: string): number | undefined {
    return this.#lastHeard.get(deviceId);
  }

  /** True when `deviceId` was heard within two heartbeats of `now`. */
  isOnline(deviceId: string, now: number): boolean {
    const heard = this.#lastHeard.get(deviceId);
    return heard !== undefined && now - heard < PRESENCE_TTL_MS;
  }

  /** Calls `listener` with each device heard; returns the unsubscribe function. */
  onHeard(listener: (deviceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
