import { STANDARD_METRICS } from "@outpost/shared-model";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";
import type { NetworkCounters } from "../linux-network-stats.js";

const KIB = 1024;

/** Byte counters of one interface at one moment. */
interface Counters {
  rx: number;
  tx: number;
}

/**
 * Throughput over every interface except loopback, KiB/s, from the byte counters' growth since the
 * previous tick. The first tick only sets the baseline; an interface that appeared, vanished or
 * whose counters went backwards (reset, driver reload) is left out of that tick's sum.
 */
export const networkCollector: Collector = {
  name: "network",
  metrics: { netRx: STANDARD_METRICS.netRx, netTx: STANDARD_METRICS.netTx },
  defaults: { intervalS: 0 },
  create: ({ system, now }) => {
    let previous: { at: number; counters: Map<string, Counters> } | undefined;
    return {
      async collect(): Promise<Readings> {
        let stats: NetworkCounters[];
        try {
          stats = await system.networkStats();
        } catch (cause) {
          throw new CollectorFailed("network", "reading interface counters", cause);
        }
        const at = now();
        const counters = new Map<string, Counters>();
        for (const s of stats) {
          if (s.iface === "lo" || /loopback/i.test(s.iface)) continue;
          if (Number.isFinite(s.rx_bytes) && Number.isFinite(s.tx_bytes))
            counters.set(s.iface, { rx: s.rx_bytes, tx: s.tx_bytes });
        }
        const readings = previous ? rates(previous.counters, counters, at - previous.at) : {};
        previous = { at, counters };
        return readings;
      },
    };
  },
};

function rates(before: Map<string, Counters>, after: Map<string, Counters>, elapsedMs: number) {
  if (!(elapsedMs > 0)) return {};
  let rx = 0;
  let tx = 0;
  for (const [iface, now] of after) {
    const then = before.get(iface);
    if (then === undefined || now.rx < then.rx || now.tx < then.tx) continue;
    rx += now.rx - then.rx;
    tx += now.tx - then.tx;
  }
  const seconds = elapsedMs / 1000;
  const readings: Readings = { netRx: rx / KIB / seconds, netTx: tx / KIB / seconds };
  return readings;
}
