import type { BrowserContext } from "playwright-core";
import {
  entryTime,
  FLEET_COMPLETE_MARK,
  FLEET_FOLLOWED_MARK,
  firstPaintAt,
  probeState,
} from "./dashboard-page.js";

/** What a visit with the relay connected and the replica already filled found. */
export interface ConnectedVisit {
  /** The "every row complete" mark (ms since navigation). */
  fleetCompleteMs: number;
  /** The page's Repo held the FleetDoc and followed it live (ms since navigation). */
  fleetFollowedMs: number;
  /** The longest task from the first paint until a while after the Repo followed the FleetDoc. */
  longestTaskMs: number;
}

/** How long after the Repo follows the FleetDoc the visit keeps watching (its shards follow). */
const SETTLE_MS = 5_000;

/**
 * An admin's everyday visit: the replica holds the fleet from an earlier visit and the relay is
 * connected, so once the fleet index has drawn the rows the page's Repo loads the FleetDoc and
 * its shards to follow them live (ARCHITECTURE.md, "The fleet index"). That load is main-thread
 * Automerge work the offline runs never do; this measures the longest task it makes.
 */
export async function visitConnected(
  context: BrowserContext,
  options: { appUrl: string; timeoutMs: number },
): Promise<ConnectedVisit> {
  const page = await context.newPage();
  try {
    await page.goto(options.appUrl, { waitUntil: "commit", timeout: options.timeoutMs });
    const fleetCompleteMs = await entryTime(page, FLEET_COMPLETE_MARK, options.timeoutMs);
    const fleetFollowedMs = await entryTime(page, FLEET_FOLLOWED_MARK, options.timeoutMs);
    await page.waitForTimeout(SETTLE_MS);
    const paintedAt = await firstPaintAt(page);
    const { longTasks } = await probeState(page);
    const afterPaint = longTasks.filter((task) => task.startTime >= paintedAt);
    return {
      fleetCompleteMs,
      fleetFollowedMs,
      longestTaskMs: Math.max(0, ...afterPaint.map((task) => task.duration)),
    };
  } finally {
    await page.close();
  }
}
