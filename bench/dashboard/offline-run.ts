import type { BrowserContext, Page } from "playwright-core";
import {
  chartDraws,
  entryTime,
  FLEET_COMPLETE_MARK,
  FLEET_INDEX_CACHED_MARK,
  FLEET_LISTED_MARK,
  firstPaintAt,
  openDevicePage,
  probeState,
  showWeek,
  timeToPaint,
} from "./dashboard-page.js";
import { FLEET_INTERACTIVE_MARK } from "./page-probe.js";

/** One offline opening of the dashboard, in ms (times since navigation start). */
export interface RunFigures {
  /** Every FleetDoc device has a row (the dashboard's mark). */
  fleetListedMs: number;
  /** First frame with every device counted and the first row on screen with its link. */
  fleetInteractiveMs: number;
  /** Every row complete: its summary or its DeviceDoc here (the dashboard's mark). */
  fleetCompleteMs: number;
  /** Sorting every row by pending commands: click until the next frame is painted. */
  sortMs: number;
  /** Filtering every row to "critical": choice until the next frame is painted. */
  filterMs: number;
  /** Long tasks (over 50 ms) from navigation until the sort and filter were done. */
  longTasksMs: number;
  /** The longest task from the browser's first paint (the app's shell) until the sort and filter. */
  longestTaskMs: number;
  /** The longest task from the fleet's first interactive frame until the sort and filter. */
  longestTaskAfterInteractiveMs: number;
  /**
   * Documents (FleetDoc and shards) the fleet index took from its cache and read with Automerge
   * (in its worker) in this run's first read; -1 when it never finished one.
   */
  indexCachedDocuments: number;
  indexReadDocuments: number;
  /** The 7-day CPU chart: uPlot's draw, as the dashboard measures it. */
  chartDrawMs: number;
  chartPoints: number;
  /** Click on "7 days" until that chart started drawing (day documents loaded, range read). */
  rangeLoadMs: number;
  /** Click on "7 days" until the CPU chart was drawn. */
  rangeToDrawnMs: number;
  /** Click on "7 days" until every metric's chart was drawn. */
  rangeToAllDrawnMs: number;
}

/** Where the app is and what the telemetry device holds. */
export interface RunOptions {
  appUrl: string;
  telemetryDeviceId: string;
  weekSamples: number;
  timeoutMs: number;
}

/** The two measured phases of a run. */
export type RunPhase = "fleet" | "week";

/** Hooks around each phase (a CPU profile of it, say). */
export interface RunInstrument {
  begin(page: Page, phase: RunPhase): Promise<void>;
  end(page: Page, phase: RunPhase): Promise<void>;
}

/**
 * Opens the dashboard in a new tab with the relay stopped and the browser offline (the service
 * worker serves the app, IndexedDB the data), waits for the fleet table, then opens the telemetry
 * device and switches its charts to 7 days.
 */
export async function offlineRun(
  context: BrowserContext,
  options: RunOptions,
  instrument?: RunInstrument,
): Promise<RunFigures> {
  const { timeoutMs } = options;
  const page = await context.newPage();
  try {
    await instrument?.begin(page, "fleet");
    await page.goto(options.appUrl, { waitUntil: "commit", timeout: timeoutMs });
    const fleetInteractiveMs = await entryTime(page, FLEET_INTERACTIVE_MARK, timeoutMs);
    const fleetListedMs = await entryTime(page, FLEET_LISTED_MARK, timeoutMs);
    const fleetCompleteMs = await entryTime(page, FLEET_COMPLETE_MARK, timeoutMs);
    const sortMs = await timeToPaint(
      page,
      `[...document.querySelectorAll("th button.sort")].find((b) => b.textContent.startsWith("Pending")).click()`,
    );
    const filterMs = await timeToPaint(
      page,
      `(() => { const select = [...document.querySelectorAll("label")].find((l) => l.textContent.trim().startsWith("Health")).querySelector("select"); select.value = "critical"; select.dispatchEvent(new Event("change", { bubbles: true })); })()`,
    );
    await instrument?.end(page, "fleet");
    const index = await page.evaluate(
      (name) =>
        (performance.getEntriesByName(name)[0] as PerformanceMark | undefined)?.detail as
          | { cachedDocuments: number; readDocuments: number }
          | undefined,
      FLEET_INDEX_CACHED_MARK,
    );
    const paintedAt = await firstPaintAt(page);
    const { longTasks } = await probeState(page);
    const afterPaint = longTasks.filter((task) => task.startTime >= paintedAt);

    await openDevicePage(page, options.telemetryDeviceId, timeoutMs);
    const minPoints = Math.floor(options.weekSamples * 0.99);
    await instrument?.begin(page, "week");
    const clickedAt = await showWeek(page, minPoints, timeoutMs);
    await page.waitForFunction(
      (least) =>
        [...document.querySelectorAll("[data-metric]")].every(
          (chart) => Number(chart.getAttribute("data-drawn")) >= least,
        ),
      minPoints,
      { timeout: timeoutMs, polling: 50 },
    );
    await instrument?.end(page, "week");
    const draws = (await chartDraws(page)).filter((draw) => draw.startTime >= clickedAt);
    const cpu = draws.find((draw) => draw.metric === "cpu" && draw.points >= minPoints);
    if (cpu === undefined) throw new Error("the 7-day CPU chart drew no measure");
    const lastEnd = Math.max(...draws.map((draw) => draw.startTime + draw.duration));
    return {
      fleetListedMs,
      fleetInteractiveMs,
      fleetCompleteMs,
      sortMs,
      filterMs,
      longTasksMs: longTasks.reduce((sum, task) => sum + task.duration, 0),
      longestTaskMs: Math.max(0, ...afterPaint.map((task) => task.duration)),
      longestTaskAfterInteractiveMs: Math.max(
        0,
        ...longTasks
          .filter((task) => task.startTime >= fleetInteractiveMs)
          .map((task) => task.duration),
      ),
      indexCachedDocuments: index?.cachedDocuments ?? -1,
      indexReadDocuments: index?.readDocuments ?? -1,
      chartDrawMs: cpu.duration,
      chartPoints: cpu.points,
      rangeLoadMs: cpu.startTime - clickedAt,
      rangeToDrawnMs: cpu.startTime + cpu.duration - clickedAt,
      rangeToAllDrawnMs: lastEnd - clickedAt,
    };
  } finally {
    await page.close();
  }
}
