import { STANDARD_METRICS } from "@outpost/shared-model";
import type { Collector, Readings } from "../collector.js";

/**
 * Whether the device could reach the relay, and the round trip when it could (a websocket ping
 * on the open sync connection, so it measures the path the data takes). Kept as telemetry so an
 * admin sees when and how long a device was unreachable, even though they learn it only later.
 */
export const connectivityCollector: Collector = {
  name: "connectivity",
  metrics: { online: STANDARD_METRICS.online, rtt: STANDARD_METRICS.rtt },
  defaults: { intervalS: 0 },
  create: ({ connectivity }) => ({
    async collect(): Promise<Readings> {
      if (!connectivity.isOnline()) return { online: 0 };
      const rtt = await connectivity.roundTripMs();
      // Connected but no pong in time: the link is as good as down for this tick.
      const readings: Readings = { online: rtt === undefined ? 0 : 1 };
      if (rtt !== undefined) readings.rtt = rtt;
      return readings;
    },
  }),
};
