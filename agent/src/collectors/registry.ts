import type { MetricDescriptor } from "@outpost/shared-model";
import type { Collector } from "./collector.js";

/** A collector name that no plugin has. */
export class UnknownCollector extends Error {
  override name = "UnknownCollector";

  constructor(name: string, known: readonly string[]) {
    super(`unknown collector ${JSON.stringify(name)}; known: ${known.join(", ")}`);
  }
}

/**
 * The collectors named in `names`, in that order, from `available` (all of them when `names` is
 * undefined).
 *
 * @throws UnknownCollector for a name no plugin has.
 */
export function selectCollectors(
  available: readonly Collector[],
  names?: readonly string[],
): Collector[] {
  if (names === undefined) return [...available];
  return names.map((name) => {
    const found = available.find((collector) => collector.name === name);
    if (!found)
      throw new UnknownCollector(
        name,
        available.map((c) => c.name),
      );
    return found;
  });
}

/** Every metric the given collectors may write, for a day document's `metrics`. */
export function metricsOf(collectors: readonly Collector[]): Record<string, MetricDescriptor> {
  const metrics: Record<string, MetricDescriptor> = {};
  for (const collector of collectors) Object.assign(metrics, collector.metrics);
  return metrics;
}
