import { STANDARD_METRICS } from "@outpost/shared-model";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

const MIB = 1024 * 1024;

/**
 * Memory in use, MiB: total minus what the OS says is available (page cache and reclaimable
 * memory do not count, as a user would expect from a task manager).
 */
export const memoryCollector: Collector = {
  name: "memory",
  metrics: { memory: STANDARD_METRICS.memory },
  defaults: { intervalS: 0 },
  create: ({ system }) => ({
    async collect(): Promise<Readings> {
      let total: number;
      let available: number;
      try {
        ({ total, available } = await system.mem());
      } catch (cause) {
        throw new CollectorFailed("memory", "reading memory usage", cause);
      }
      const used = total - available;
      return Number.isFinite(used) && used >= 0 ? { memory: used / MIB } : {};
    },
  }),
};
