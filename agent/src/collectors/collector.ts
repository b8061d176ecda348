import type { MetricDescriptor } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { SystemInfo } from "./system-info.js";

/** Values one collector read in one tick, in real units, by metric name. */
export type Readings = Record<string, number>;

/** What the agent knows about its link to the relay, for the connectivity collector. */
export interface ConnectivityProbe {
  /** True while a sync connection to the relay is open. */
  isOnline(): boolean;
  /** Round trip to the relay in ms, or `undefined` when offline or no answer came in time. */
  roundTripMs(): Promise<number | undefined>;
}

/** Everything a collector may use; injected so fixture tests can swap each part. */
export interface CollectorContext {
  /** The `systeminformation` facade (fixtures in tests). */
  readonly system: SystemInfo;
  readonly connectivity: ConnectivityProbe;
  /** Epoch milliseconds now (the agent's injectable clock). */
  readonly now: () => number;
}

/** One running collector; it may keep state between ticks (counters for rates, backoff). */
export interface CollectorInstance {
  /**
   * Reads this tick's values. A metric it cannot read now (no battery, no sensor, the first tick
   * of a rate) is left out, never reported as 0.
   *
   * @throws an error with the collector's name and what failed; the agent logs it once and
   *   carries on with the other collectors.
   */
  collect(): Promise<Readings>;
}

/**
 * A collector plugin (ARCHITECTURE.md, "Collectors"): a descriptor in its own folder under
 * `collectors/`, listed in
 * `collectors/all.ts`. The core never imports a plugin; it looks them up by name.
 */
export interface Collector {
  /** Kebab-case name, as an admin selects it. */
  readonly name: string;
  /** Every metric the collector may report and how it is stored. */
  readonly metrics: Readonly<Record<string, MetricDescriptor>>;
  readonly defaults: {
    /** Least time between two collections, seconds; 0 means every sampling tick. */
    readonly intervalS: number;
  };
  create(context: CollectorContext): CollectorInstance;
}

/** A collector failed to read; wraps the cause with the collector's name. */
export class CollectorFailed extends Error {
  override name = "CollectorFailed";

  constructor(
    readonly collector: string,
    what: string,
    cause: unknown,
  ) {
    super(`collector ${collector}: ${what}: ${messageOf(cause)}`, {
      cause,
    });
  }
}
