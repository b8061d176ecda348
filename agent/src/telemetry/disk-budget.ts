import type { Repo } from "@automerge/automerge-repo";
import {
  type AuditEntry,
  actorOf,
  countSamples,
  type Day,
  type DeviceId,
  downsampleDay,
  type Logger,
  type TelemetryDayDoc,
  toStored,
} from "@outpost/shared-model";
import { flushReady } from "@outpost/shared-model/storage";
import type { AgentStateStore } from "../state/agent-state.js";
import { folderBytes } from "./folder-bytes.js";
import type { LocalRetention } from "./local-retention.js";
import type { TelemetryDays } from "./telemetry-days.js";

/**
 * The intervals a day is downsampled to, step by step. Each divides an hour, so windows line up
 * with the hour buckets; the last is one row an hour, below which a day says nothing useful.
 */
const DOWNSAMPLE_LADDER_S = [60, 300, 900, 3_600] as const;

/** The next coarser interval for a day sampled every `intervalS`, or `undefined` at the end. */
export function nextDownsampledInterval(intervalS: number): number | undefined {
  return DOWNSAMPLE_LADDER_S.find((step) => step >= 2 * intervalS && step % intervalS === 0);
}

const MIB = 1024 * 1024;

/**
 * Keeps an offline device's data folder within its disk budget (ARCHITECTURE.md, "Disk budget").
 * Over budget, it first deletes days the relay already has in full (ahead of their retention:
 * nothing is lost), then downsamples the oldest days the relay does not have yet, one step of the
 * ladder 1 min, 5 min, 15 min, 1 h at a time, as often as needed. It never drops a day, and each
 * downsampling leaves an audit entry.
 */
export class DiskBudget {
  readonly #folder: string;
  readonly #budgetBytes: number;
  readonly #days: TelemetryDays;
  readonly #retention: LocalRetention;
  readonly #repo: Repo;
  readonly #store: AgentStateStore;
  readonly #deviceId: DeviceId;
  readonly #logger: Logger;
  #reportedStuck = false;

  constructor(options: {
    folder: string;
    budgetBytes: number;
    days: TelemetryDays;
    retention: LocalRetention;
    repo: Repo;
    store: AgentStateStore;
    deviceId: DeviceId;
    logger: Logger;
  }) {
    this.#folder = options.folder;
    this.#budgetBytes = options.budgetBytes;
    this.#days = options.days;
    this.#retention = options.retention;
    this.#repo = options.repo;
    this.#store = options.store;
    this.#deviceId = options.deviceId;
    this.#logger = options.logger;
  }

  /** Brings the folder back within budget if it is over; returns its size afterwards. */
  async enforce(now: number): Promise<number> {
    let bytes = await folderBytes(this.#folder);
    while (bytes > this.#budgetBytes) {
      const acknowledged = this.#retention.acknowledgedOnDisk();
      const step = acknowledged[0]
        ? () => this.#retention.evict(acknowledged[0] as Day, now, "disk budget")
        : await this.#nextDownsampling(now, bytes);
      if (step === undefined) {
        if (!this.#reportedStuck) {
          this.#logger.error(
            { bytes, budgetBytes: this.#budgetBytes },
            `the data folder holds ${mib(bytes)} MiB, over its ${mib(this.#budgetBytes)} MiB budget, and every unsynced day is already at one sample an hour; nothing is dropped, raise disk_budget_mib or let the device reach the relay`,
          );
          this.#reportedStuck = true;
        }
        return bytes;
      }
      await step();
      bytes = await folderBytes(this.#folder);
    }
    this.#reportedStuck = false;
    return bytes;
  }

  /** The downsampling of the oldest closed, unacknowledged day still finer than an hour. */
  async #nextDownsampling(now: number, bytes: number): Promise<(() => Promise<void>) | undefined> {
    for (const day of this.#days.indexedDays()) {
      if (day === this.#days.currentDay || this.#store.state.days[day]?.evictedAt !== undefined) {
        continue;
      }
      if (this.#store.state.days[day]?.finalHeads === undefined) continue;
      const handle = await this.#days.handle(day);
      if (!handle || nextDownsampledInterval(handle.doc().intervalS) === undefined) continue;
      return () => this.#downsample(day, now, bytes);
    }
    return undefined;
  }

  async #downsample(day: Day, now: number, bytes: number): Promise<void> {
    const old = await this.#days.handle(day);
    if (!old) return;
    const before = old.doc();
    const target = nextDownsampledInterval(before.intervalS);
    if (target === undefined) return;
    const coarse = downsampleDay(before, target / before.intervalS);
    const entry: AuditEntry = {
      at: now,
      actor: actorOf({ kind: "device", deviceId: this.#deviceId }),
      action: "telemetry-downsampled",
      detail:
        `day ${day}: ${countSamples(before)} samples at ${before.intervalS} s became ` +
        `${countSamples(coarse)} at ${coarse.intervalS} s (window means) because the data folder ` +
        `held ${mib(bytes)} MiB, over its ${mib(this.#budgetBytes)} MiB budget, while the relay ` +
        `had not stored this day; replaced document ${old.url}`,
    };
    coarse.audit.push(toStored(entry));
    const replacement = this.#repo.create<TelemetryDayDoc>(coarse);
    this.#days.replace(day, replacement);
    this.#store.update((state) => {
      const previous = state.days[day];
      state.days[day] = {
        finalHeads: [...replacement.heads()],
        downsampledFrom: [...(previous?.downsampledFrom ?? []), old.url],
      };
    });
    await Promise.all([this.#store.flush(), flushReady(this.#repo)]);
    await this.#retention.deleteLocally(old.url);
    // The audit trail of the day it happened says so too (the day document keeps the audit trail).
    await this.#days.audit(entry);
    this.#logger.warn({ day, detail: entry.detail }, `downsampled telemetry day ${day}`);
  }
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
