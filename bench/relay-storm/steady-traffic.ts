import type { DocHandle } from "@automerge/automerge-repo";
import type { DeviceId, PresenceMessage, TelemetryDayDoc } from "@outpost/shared-model";
import { appendSample, PRESENCE_MESSAGE_TYPE, startOfDay } from "@outpost/shared-model";
import { makeSimulatedDevice } from "../../scripts/synthetic-fleet/simulated-device.js";
import type { SteadyStats } from "./messages.js";

/** One connected simulated agent as the steady state drives it. */
export interface SteadyAgent {
  deviceId: DeviceId;
  day: DocHandle<TelemetryDayDoc>;
  device: DocHandle<unknown>;
  /** Samples already in the day document (the next one goes after them). */
  ticks: number;
  seed: number;
}

const DAY_TICKS = 8_640;
const INTERVAL_S = 10;

/**
 * The stock websocket client throws from `send` while its socket is closing (a socket the relay
 * is replacing or closing, before the adapter reports the peer gone). The change is in the
 * document all the same and syncs once the agent is connected again, as the real agent's does;
 * the heartbeat is skipped, as the real agent skips it while offline (PresenceHeartbeat).
 */
function notConnected(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("Websocket not ready");
}

/**
 * What a connected agent sends in the steady state, as the real agent does it (agent/src): one
 * sample every `sampleIntervalMs` as one Automerge change into its day document
 * (SamplingLoop → `appendSample`), which automerge-repo syncs to the relay at once, and a
 * heartbeat every `heartbeatIntervalMs` as an ephemeral message on its DeviceDoc
 * (PresenceHeartbeat). Agents start at random offsets within an interval, as real devices do.
 * Also measures how long each sample waits for the relay's durable ack covering it.
 */
export class SteadyTraffic {
  readonly #timers: NodeJS.Timeout[] = [];
  #samples = 0;
  #heartbeats = 0;
  readonly #ackLagsMs: number[] = [];
  /** Per day document: when its oldest sample not yet acknowledged was written. */
  readonly #unacknowledgedSince = new Map<string, number>();

  start(
    agents: readonly SteadyAgent[],
    options: { sampleIntervalMs: number; heartbeatIntervalMs: number },
  ): void {
    const agentStartedAt = Date.now();
    for (const agent of agents) {
      const nextValues = makeSimulatedDevice(agent.seed);
      let tick = agent.ticks;
      const dayStart = startOfDay(agent.day.doc().day);
      const sample = () => {
        // Past the day's end the bench wraps into its first hour: the document still grows by one
        // tick per sample, which is all the relay sees.
        const at = dayStart + (tick % DAY_TICKS) * INTERVAL_S * 1000;
        tick += 1;
        try {
          agent.day.change((doc) => appendSample(doc, { at, values: nextValues() }));
        } catch (error) {
          if (!notConnected(error)) throw error;
        }
        this.#samples += 1;
        if (!this.#unacknowledgedSince.has(agent.day.documentId))
          this.#unacknowledgedSince.set(agent.day.documentId, performance.now());
      };
      const beat = () => {
        const message: PresenceMessage = {
          type: PRESENCE_MESSAGE_TYPE,
          deviceId: agent.deviceId,
          sentAt: Date.now(),
          agentStartedAt,
        };
        try {
          agent.device.broadcast(message);
        } catch (error) {
          if (!notConnected(error)) throw error;
          return;
        }
        this.#heartbeats += 1;
      };
      this.#every(options.sampleIntervalMs, sample);
      this.#every(options.heartbeatIntervalMs, beat);
    }
  }

  /** A durable ack covering every sample of `documentId` written so far came. */
  acknowledged(documentId: string): void {
    const since = this.#unacknowledgedSince.get(documentId);
    if (since === undefined) return;
    this.#unacknowledgedSince.delete(documentId);
    this.#ackLagsMs.push(performance.now() - since);
  }

  /** Counts since {@link start}; lags of samples still waiting count as their wait so far. */
  stats(): SteadyStats {
    const now = performance.now();
    const waiting = [...this.#unacknowledgedSince.values()].map((since) => now - since);
    const lags = [...this.#ackLagsMs, ...waiting].sort((a, b) => a - b);
    const at = (share: number) => lags[Math.min(lags.length - 1, Math.floor(share * lags.length))];
    return {
      samples: this.#samples,
      heartbeats: this.#heartbeats,
      acknowledged: this.#ackLagsMs.length,
      unacknowledged: waiting.length,
      ackLagMs:
        lags.length === 0 ? null : { p50: at(0.5) ?? 0, p95: at(0.95) ?? 0, max: lags.at(-1) ?? 0 },
    };
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  #every(intervalMs: number, action: () => void): void {
    const first = setTimeout(() => {
      action();
      this.#timers.push(setInterval(action, intervalMs));
    }, Math.random() * intervalMs);
    this.#timers.push(first);
  }
}
