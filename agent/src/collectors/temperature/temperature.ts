import { STANDARD_METRICS } from "@outpost/shared-model";
import type { Systeminformation } from "systeminformation";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/**
 * A machine without a readable sensor (most VMs) is asked again only this often: looking costs a
 * few child processes, and the answer rarely changes.
 */
const RETRY_WITHOUT_SENSOR_MS = 600_000;

/** The hottest CPU sensor, °C (the package sensor, else the hottest core). */
export const temperatureCollector: Collector = {
  name: "temperature",
  metrics: { temperature: STANDARD_METRICS.temperature },
  defaults: { intervalS: 60 },
  create: ({ system, now }) => {
    let noSensorSince: number | undefined;
    return {
      async collect(): Promise<Readings> {
        if (noSensorSince !== undefined && now() - noSensorSince < RETRY_WITHOUT_SENSOR_MS) {
          return {};
        }
        let reading: Systeminformation.CpuTemperatureData;
        try {
          reading = await system.cpuTemperature();
        } catch (cause) {
          throw new CollectorFailed("temperature", "reading the CPU sensors", cause);
        }
        const celsius = hottest(reading);
        noSensorSince = celsius === undefined ? now() : undefined;
        return celsius === undefined ? {} : { temperature: celsius };
      },
    };
  },
};

function hottest(reading: Systeminformation.CpuTemperatureData): number | undefined {
  const candidates = [reading.max, reading.main, ...(reading.cores ?? [])].filter(
    // Some firmware reports 0 or absurd values for a missing sensor.
    (value): value is number => typeof value === "number" && value > 0 && value < 150,
  );
  return candidates.length ? Math.max(...candidates) : undefined;
}
