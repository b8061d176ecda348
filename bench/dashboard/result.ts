import type { RunFigures } from "./offline-run.js";

/** The issues' targets (offline; issue 18: at 10,000 devices; the chart: a week of 10 s samples). */
export const TARGETS = {
  fleetInteractiveMs: 1_500,
  fleetCompleteMs: 3_000,
  sortOrFilterMs: 100,
  longestTaskMs: 200,
  chartDrawMs: 200,
} as const;

/** The median of each figure over the runs. */
export function medians(runs: readonly RunFigures[]): RunFigures {
  const keys = Object.keys(runs[0] ?? {}) as (keyof RunFigures)[];
  return Object.fromEntries(
    keys.map((key) => [key, median(runs.map((run) => run[key]))]),
  ) as unknown as RunFigures;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** One run as a line for a human. */
export function describeRun(index: number, run: RunFigures): string {
  const ms = (value: number) => `${Math.round(value).toLocaleString("en")} ms`;
  return [
    `run ${index + 1}: fleet listed ${ms(run.fleetListedMs)}, interactive ${ms(run.fleetInteractiveMs)}, complete ${ms(run.fleetCompleteMs)}`,
    run.indexCachedDocuments < 0
      ? "(the fleet index finished no read);"
      : `(fleet index: ${run.indexCachedDocuments} documents from its cache, ${run.indexReadDocuments} read with Automerge);`,
    `sort ${ms(run.sortMs)}, filter ${ms(run.filterMs)}`,
    `(long tasks ${ms(run.longTasksMs)}, longest after first paint ${ms(run.longestTaskMs)}, after interactive ${ms(run.longestTaskAfterInteractiveMs)});`,
    `7 days: ${run.chartPoints.toLocaleString("en")} points, draw ${ms(run.chartDrawMs)},`,
    `click to drawn ${ms(run.rangeToDrawnMs)} (${ms(run.rangeLoadMs)} before the draw), all charts ${ms(run.rangeToAllDrawnMs)}`,
  ].join(" ");
}

export function round(value: number, digits = 0): number {
  return Number(value.toFixed(digits));
}
