import { STANDARD_METRICS } from "@outpost/shared-model";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/**
 * CPU busy over all cores, percent. `systeminformation` computes it from the counters since its
 * previous call, so each tick reports the load of the interval just ended, not an instant.
 */
export const cpuCollector: Collector = {
  name: "cpu",
  metrics: { cpu: STANDARD_METRICS.cpu },
  defaults: { intervalS: 0 },
  create: ({ system }) => ({
    async collect(): Promise<Readings> {
      let load: number;
      try {
        ({ currentLoad: load } = await system.currentLoad());
      } catch (cause) {
        throw new CollectorFailed("cpu", "reading the CPU counters", cause);
      }
      return Number.isFinite(load) ? { cpu: Math.min(100, Math.max(0, load)) } : {};
    },
  }),
};
