import type { Page } from "playwright-core";
import type { ProbeState, ReplicaSummary } from "./page-probe.js";

/** The dashboard's User Timing entries (dashboard/src: create-fleet.ts, MetricChart.tsx). */
export const FLEET_LISTED_MARK = "outpost:fleet-listed";
export const FLEET_COMPLETE_MARK = "outpost:fleet-complete";
/** The dashboard's mark: its fleet index cache holds what the replica holds. */
export const FLEET_INDEX_CACHED_MARK = "outpost:fleet-index-cached";
/** The dashboard's mark: its Repo holds the FleetDoc and follows it live (relay connected). */
export const FLEET_FOLLOWED_MARK = "outpost:fleet-followed";
export const CHART_DRAW_MEASURE = "outpost:chart-draw";

/** One uPlot draw as the dashboard measured it. */
export interface ChartDraw {
  metric: string;
  points: number;
  startTime: number;
  duration: number;
}

/**
 * When the page's first User Timing entry `name` started (ms since navigation), waiting up to
 * `timeoutMs` for it.
 */
export async function entryTime(page: Page, name: string, timeoutMs: number): Promise<number> {
  await page.waitForFunction((entry) => performance.getEntriesByName(entry).length > 0, name, {
    timeout: timeoutMs,
    polling: 50,
  });
  return page.evaluate((entry) => performance.getEntriesByName(entry)[0]?.startTime ?? NaN, name);
}

/**
 * Does `action` in the page (a click on a sort header, a filter choice) and returns how long from
 * just before it until the frame after it is painted: what the admin waits for the table.
 */
export async function timeToPaint(page: Page, action: string): Promise<number> {
  return (await page.evaluate(`(async () => {
    const started = performance.now();
    ${action};
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - started;
  })()`)) as number;
}

/** When the page first painted (ms since navigation). */
export async function firstPaintAt(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByName("first-paint")[0]?.startTime ?? 0);
}

/** Every chart draw the page has measured so far. */
export function chartDraws(page: Page): Promise<ChartDraw[]> {
  return page.evaluate(
    (name) =>
      performance.getEntriesByName(name).map((entry) => {
        const detail = (entry as PerformanceMeasure).detail as { metric: string; points: number };
        return {
          metric: detail.metric,
          points: detail.points,
          startTime: entry.startTime,
          duration: entry.duration,
        };
      }),
    CHART_DRAW_MEASURE,
  );
}

/** Opens a device's page in the app (a hash route, as clicking its row does). */
export async function openDevicePage(page: Page, deviceId: string, timeoutMs: number) {
  await page.evaluate((id) => {
    location.hash = `#/device/${encodeURIComponent(id)}`;
  }, deviceId);
  await page.getByRole("heading", { name: "Telemetry" }).waitFor({ timeout: timeoutMs });
}

/**
 * Picks "7 days" in the range picker and waits until the CPU chart has drawn at least
 * `minPoints`. Returns when the click happened (ms since navigation, the event's time stamp).
 */
export async function showWeek(page: Page, minPoints: number, timeoutMs: number): Promise<number> {
  await page.evaluate("window.__outpostBench.armRangeClick()");
  await page.getByRole("radio", { name: "7 days" }).click({ timeout: timeoutMs });
  await page.waitForFunction(
    (least) =>
      Number(document.querySelector('[data-metric="cpu"]')?.getAttribute("data-drawn")) >= least,
    minPoints,
    { timeout: timeoutMs, polling: 50 },
  );
  const state = await probeState(page);
  if (state.rangeClickAt === undefined)
    throw new Error("the click on the range picker was not seen");
  return state.rangeClickAt;
}

/** The probe's figures so far. */
export async function probeState(page: Page): Promise<ProbeState> {
  return (await page.evaluate(
    "({ longTasks: window.__outpostBench.longTasks, rangeClickAt: window.__outpostBench.rangeClickAt })",
  )) as ProbeState;
}

/** What the page's IndexedDB replica `database` holds. */
export async function replicaSummary(page: Page, database: string): Promise<ReplicaSummary> {
  return (await page.evaluate(
    `window.__outpostBench.replicaSummary(${JSON.stringify(database)})`,
  )) as ReplicaSummary;
}
