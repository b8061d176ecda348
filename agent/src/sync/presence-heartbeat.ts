import type { DocHandle } from "@automerge/automerge-repo";
import {
  type DeviceId,
  PRESENCE_INTERVAL_MS,
  PRESENCE_MESSAGE_TYPE,
  type PresenceMessage,
} from "@outpost/shared-model";

/**
 * While connected, broadcasts an ephemeral heartbeat on the DeviceDoc every
 * {@link PRESENCE_INTERVAL_MS}: a dashboard syncing that document sees "online now" without any
 * document being written. Runs on real time whatever the agent's clock, since presence is now.
 */
export class PresenceHeartbeat {
  readonly #handle: DocHandle<unknown>;
  readonly #deviceId: DeviceId;
  readonly #agentStartedAt: number;
  readonly #intervalMs: number;
  readonly #isOnline: () => boolean;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    handle: DocHandle<unknown>,
    deviceId: DeviceId,
    options: { agentStartedAt: number; isOnline: () => boolean; intervalMs?: number },
  ) {
    this.#handle = handle;
    this.#deviceId = deviceId;
    this.#agentStartedAt = options.agentStartedAt;
    this.#intervalMs = options.intervalMs ?? PRESENCE_INTERVAL_MS;
    this.#isOnline = options.isOnline;
  }

  /** Beats every interval while online, until {@link stop}; call {@link beat} on connecting. */
  start(): void {
    if (this.#timer) return;
    this.beat();
    this.#timer = setInterval(() => this.beat(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends one heartbeat now, if connected. */
  beat(): void {
    if (!this.#isOnline()) return;
    const message: PresenceMessage = {
      type: PRESENCE_MESSAGE_TYPE,
      deviceId: this.#deviceId,
      sentAt: Date.now(),
      agentStartedAt: this.#agentStartedAt,
    };
    this.#handle.broadcast(message);
  }
}
