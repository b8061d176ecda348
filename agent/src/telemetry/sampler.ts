import type { Logger, Sample } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { Collector, CollectorContext, CollectorInstance } from "../collectors/collector.js";

/** A collector that has not answered in this long is skipped for the tick. */
const COLLECT_TIMEOUT_MS = 5_000;

interface Running {
  collector: Collector;
  instance: CollectorInstance;
  lastRunAt: number;
  lastError: string | undefined;
}

/**
 * Runs the collectors due at each tick, together, and merges their readings into one sample.
 * A collector with its own interval runs when that much time has passed (within half a tick), so
 * a 60 s collector on a 10 s tick runs every sixth tick. A collector that fails or hangs costs
 * only its own metrics for that tick; each distinct failure is logged once.
 */
export class Sampler {
  readonly #running: Running[];
  readonly #intervalS: () => number;
  readonly #logger: Logger;

  constructor(
    collectors: readonly Collector[],
    context: CollectorContext,
    options: { intervalS: number | (() => number); logger: Logger },
  ) {
    this.#running = collectors.map((collector) => ({
      collector,
      instance: collector.create(context),
      lastRunAt: Number.NEGATIVE_INFINITY,
      lastError: undefined,
    }));
    const { intervalS } = options;
    this.#intervalS = typeof intervalS === "function" ? intervalS : () => intervalS;
    this.#logger = options.logger;
  }

  /** Collects one sample stamped `at`. */
  async sample(at: number): Promise<Sample> {
    const halfTickMs = this.#intervalS() * 500;
    const due = this.#running.filter(
      (r) => at - r.lastRunAt >= r.collector.defaults.intervalS * 1000 - halfTickMs,
    );
    const readings = await Promise.all(due.map((r) => this.#collect(r, at)));
    return { at, values: Object.assign({}, ...readings) };
  }

  async #collect(running: Running, at: number): Promise<Record<string, number>> {
    running.lastRunAt = at;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`collector ${running.collector.name}: no answer in ${COLLECT_TIMEOUT_MS} ms`),
          ),
        COLLECT_TIMEOUT_MS,
      );
    });
    try {
      const readings = await Promise.race([running.instance.collect(), timeout]);
      if (running.lastError !== undefined) {
        this.#logger.info(`collector ${running.collector.name} works again`);
        running.lastError = undefined;
      }
      return readings;
    } catch (error) {
      const message = messageOf(error);
      if (message !== running.lastError) {
        this.#logger.warn({ collector: running.collector.name, err: error }, message);
        running.lastError = message;
      }
      return {};
    } finally {
      clearTimeout(timer);
    }
  }
}
