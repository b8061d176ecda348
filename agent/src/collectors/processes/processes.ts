import { STANDARD_METRICS } from "@outpost/shared-model";
import type { Systeminformation } from "systeminformation";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/**
 * How many processes run. Listing them runs `ps` and walks every process, about 90 ms of CPU on
 * a small machine: the costliest read the agent makes, so it is done every five minutes.
 */
export const processesCollector: Collector = {
  name: "processes",
  metrics: { processes: STANDARD_METRICS.processes },
  defaults: { intervalS: 300 },
  create: ({ system }) => ({
    async collect(): Promise<Readings> {
      let summary: Systeminformation.ProcessesData;
      try {
        summary = await system.processes();
      } catch (cause) {
        throw new CollectorFailed("processes", "listing processes", cause);
      }
      return Number.isInteger(summary.all) && summary.all >= 0 ? { processes: summary.all } : {};
    },
  }),
};
