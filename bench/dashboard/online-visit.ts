import type { BrowserContext, Page } from "playwright-core";
import {
  entryTime,
  FLEET_COMPLETE_MARK,
  FLEET_INDEX_CACHED_MARK,
  openDevicePage,
  replicaSummary,
  showWeek,
} from "./dashboard-page.js";
import type { ReplicaSummary } from "./page-probe.js";

/** What the online visit found. */
export interface OnlineVisit {
  /** Sign-in until IndexedDB held the FleetDoc and every summary shard (polled every 2 s). */
  storedMs: number;
  /** The first page's "every row complete" mark. */
  firstPageLoadedMs: number | undefined;
  /** The page's "fleet index cached" mark (ms since navigation), if it came. */
  indexCachedMs: number | undefined;
  /** The replica once the week's day documents were in too. */
  replica: ReplicaSummary;
}

const POLL_MS = 2_000;
/** How often a slow online load reports how far it got. */
const PROGRESS_MS = 20_000;
/** Time the first page gets, once everything is stored, to complete every row. */
const LOADED_WAIT_MS = 120_000;
/** Time the page gets, once the replica stopped growing, to cache the fleet index. */
const INDEX_CACHED_WAIT_MS = 60_000;

/**
 * The admin's online visit: signs in with the one-click link and waits until the IndexedDB
 * replica holds the FleetDoc and every DeviceDoc, and gives the page a while to mark them all
 * loaded (informative: `firstPageLoadedMs`). Then opens the telemetry device with the 7-day range, so
 * that its day documents are loaded, and waits until the replica holds every expected document,
 * has stopped growing, and the service worker controls the page.
 */
export async function visitOnline(
  context: BrowserContext,
  options: {
    relayUrl: string;
    token: string;
    database: string;
    telemetryDeviceId: string;
    weekSamples: number;
    /** What the fleet view needs: the FleetDoc and the summary shards. */
    fleetDocumentIds: readonly string[];
    /** Those and the week's day documents. */
    expectedDocumentIds: readonly string[];
    timeoutMs: number;
    log: (line: string) => void;
  },
): Promise<OnlineVisit> {
  const { timeoutMs, log } = options;
  const page = await context.newPage();
  try {
    await page.goto(`${options.relayUrl}/?token=${options.token}`, { timeout: timeoutMs });
    await page.getByRole("heading", { name: "Fleet" }).waitFor({ timeout: timeoutMs });
    const storedMs = await untilHeld(page, options.database, options.fleetDocumentIds, {
      timeoutMs,
      progress: (held) =>
        log(
          `  online: IndexedDB holds ${held} of ${options.fleetDocumentIds.length} fleet documents…`,
        ),
    });
    // The page loads each DeviceDoc as it arrives; one the relay was slow to give is tried
    // again a little later. Not what is measured: wait a while for it, then go on.
    const firstPageLoadedMs = await entryTime(page, FLEET_COMPLETE_MARK, LOADED_WAIT_MS).catch(
      () => undefined,
    );
    if (firstPageLoadedMs === undefined) {
      log(`  online: the page had not loaded every DeviceDoc ${LOADED_WAIT_MS / 1000} s after`);
    }
    await openDevicePage(page, options.telemetryDeviceId, timeoutMs);
    await showWeek(page, Math.floor(options.weekSamples * 0.99), timeoutMs);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: timeoutMs,
    });
    await untilHeld(page, options.database, options.expectedDocumentIds, { timeoutMs });
    // automerge-repo saves a little after a change: wait until the replica stops growing.
    let previous = await replicaSummary(page, options.database);
    for (;;) {
      await page.waitForTimeout(POLL_MS);
      const replica = await replicaSummary(page, options.database);
      if (replica.bytes === previous.bytes) {
        // The app's fleet index caches the FleetDoc and shards a little after they last
        // changed, as an admin's browser does during any visit (ARCHITECTURE.md, "The fleet
        // index"); the offline runs say whether they found the cache.
        const cachedMs = await entryTime(page, FLEET_INDEX_CACHED_MARK, INDEX_CACHED_WAIT_MS).catch(
          () => undefined,
        );
        if (cachedMs === undefined) log("  online: the page never cached its fleet index");
        return { storedMs, firstPageLoadedMs, indexCachedMs: cachedMs, replica };
      }
      previous = replica;
    }
  } finally {
    await page.close();
  }
}

/** Polls until the replica holds every one of `documentIds`; returns when (ms since navigation). */
async function untilHeld(
  page: Page,
  database: string,
  documentIds: readonly string[],
  options: { timeoutMs: number; progress?: (held: number) => void },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let nextProgress = Date.now() + PROGRESS_MS;
  for (;;) {
    const held = new Set((await replicaSummary(page, database)).documentIds);
    const count = documentIds.filter((id) => held.has(id)).length;
    if (count === documentIds.length) return page.evaluate(() => performance.now());
    if (Date.now() > deadline) {
      throw new Error(
        `the browser's replica holds ${count} of ${documentIds.length} documents after ${options.timeoutMs / 1000} s online`,
      );
    }
    if (Date.now() > nextProgress) {
      options.progress?.(count);
      nextProgress += PROGRESS_MS;
    }
    await page.waitForTimeout(POLL_MS);
  }
}
