import type { LoadReading } from "../gates/load-gate.js";

/** Something that reads the system's load; the first reading may only set a baseline. */
export interface LoadSource {
  read(): Promise<LoadReading | undefined>;
}

/** How often the load is read while a command runs. */
const WATCH_EVERY_MS = 1_000;

/**
 * The system load around one command run, for its outcome: the reading the load gate let it
 * start on, and the highest value of each figure while it ran (read every second, and once more
 * at the end, so a run shorter than a second still has a peak). An admin can then tell whether
 * the command was what loaded the machine, or the user was.
 */
export class LoadWatch {
  readonly #before: LoadReading | undefined;
  readonly #source: LoadSource | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #peak: Omit<LoadReading, "at"> | undefined;
  #reading: Promise<void> = Promise.resolve();

  /**
   * @param before the last reading before the start.
   * @param source read during the run; a fresh one per run, so its baseline is the start.
   */
  constructor(
    before: LoadReading | undefined,
    source: LoadSource | undefined,
    everyMs = WATCH_EVERY_MS,
  ) {
    this.#before = before;
    this.#source = source;
    if (source) {
      this.#read();
      this.#timer = setInterval(() => this.#read(), everyMs);
      this.#timer.unref();
    }
  }

  /** Stops watching; the figures for the outcome's `metrics`, rounded to 0.1. */
  async finish(): Promise<Record<string, number>> {
    clearInterval(this.#timer);
    this.#read();
    await this.#reading;
    const metrics: Record<string, number> = {};
    const figures = ["cpuPercent", "memoryPercent", "diskBusyPercent"] as const;
    for (const figure of figures) {
      if (this.#before) metrics[`${figure}Before`] = round(this.#before[figure]);
      if (this.#peak) metrics[`${figure}Peak`] = round(this.#peak[figure]);
    }
    return metrics;
  }

  #read(): void {
    const source = this.#source;
    if (!source) return;
    // One read at a time, in order: a slow /proc never piles up readers.
    this.#reading = this.#reading.then(async () => {
      const reading = await source.read().catch(() => undefined);
      if (!reading) return;
      const peak = this.#peak;
      this.#peak = {
        cpuPercent: Math.max(peak?.cpuPercent ?? 0, reading.cpuPercent),
        memoryPercent: Math.max(peak?.memoryPercent ?? 0, reading.memoryPercent),
        diskBusyPercent: Math.max(peak?.diskBusyPercent ?? 0, reading.diskBusyPercent),
      };
    });
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
