import { STANDARD_METRICS } from "@outpost/shared-model";
import type { Systeminformation } from "systeminformation";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/** Battery charge, percent; nothing on a machine without a battery. Reads sysfs, no child. */
export const batteryCollector: Collector = {
  name: "battery",
  metrics: { battery: STANDARD_METRICS.battery },
  defaults: { intervalS: 60 },
  create: ({ system }) => ({
    async collect(): Promise<Readings> {
      let battery: Systeminformation.BatteryData;
      try {
        battery = await system.battery();
      } catch (cause) {
        throw new CollectorFailed("battery", "reading the battery", cause);
      }
      if (!battery.hasBattery || !Number.isFinite(battery.percent)) return {};
      return { battery: Math.min(100, Math.max(0, battery.percent)) };
    },
  }),
};
