import { STANDARD_METRICS } from "@outpost/shared-model";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/** Time since boot, minutes: a drop in the chart is a reboot. Once a minute is its resolution. */
export const uptimeCollector: Collector = {
  name: "uptime",
  metrics: { uptime: STANDARD_METRICS.uptime },
  defaults: { intervalS: 60 },
  create: ({ system }) => ({
    async collect(): Promise<Readings> {
      let seconds: unknown;
      try {
        seconds = system.time().uptime;
      } catch (cause) {
        throw new CollectorFailed("uptime", "reading the time since boot", cause);
      }
      if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
        throw new CollectorFailed("uptime", "reading the time since boot", `got ${seconds}`);
      }
      return { uptime: Math.floor(seconds / 60) };
    },
  }),
};
