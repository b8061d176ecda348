import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type DeviceDoc,
  type FleetDevice,
  type FleetSummaryIndex,
  FoldCache,
} from "@outpost/shared-model";
import { type Accessor, createMemo, createSignal, onCleanup } from "solid-js";
import { type FleetRow, rowOf, rowOfSummary } from "../fleet/fleet-row.js";
import type { FleetContent } from "../fleet-index/fleet-index-messages.js";
import type { openFleetIndex } from "../fleet-index/open-fleet-index.js";
import type { Replica } from "../sync/replica.js";
import { createIsOnline } from "./create-is-online.js";
import { makeDeviceDocs } from "./make-device-docs.js";
import { makeFleetSources } from "./make-fleet-sources.js";
import { makeLoadQueue } from "./make-load-queue.js";
import { makeOpenDays } from "./make-open-days.js";
import { makeRowBatcher } from "./make-row-batcher.js";
import { makeSummaryShards } from "./make-summary-shards.js";

/** The fleet as the app sees it: the FleetDoc's devices, each with its DeviceDoc when here. */
export interface Fleet {
  /** `loading` until the FleetDoc is here; `unavailable` when neither storage nor relay has it. */
  status: Accessor<"loading" | "ready" | "unavailable">;
  rows: Accessor<readonly FleetRow[]>;
  row(deviceId: string): FleetRow | undefined;
  /** The device's DeviceDoc handle, once loaded. */
  handleOf(deviceId: string): DocHandle<DeviceDoc> | undefined;
  /** True while the device's agent is heard (presence), re-checked every few seconds. */
  isOnline(deviceId: string): boolean;
  /** Loads the device's newest day document for its exact last sample (visible rows ask). */
  wantLastSample(deviceId: string): void;
}

/** Row updates are applied together at most this often: 1,000 documents arriving is one render. */
const ROW_FLUSH_MS = 50;
/**
 * DeviceDocs loading at once. Loading one is mostly Automerge work on the main thread; a few at a
 * time, each in a task of its own, keep the table answering while 1,000 load behind it.
 */
const LOAD_CONCURRENCY = 4;
/**
 * User Timing marks (bench/dashboard): every FleetDoc device listed; every row complete (its
 * summary or its DeviceDoc here, every column filled in).
 */
export const FLEET_LISTED_MARK = "outpost:fleet-listed";
export const FLEET_COMPLETE_MARK = "outpost:fleet-complete";
/** How often "online now" is re-evaluated (presence expires without any event). */
const PRESENCE_TICK_MS = 5_000;

/**
 * Loads the fleet from the replica and keeps every row current (ARCHITECTURE.md, "Fleet
 * summaries" and "The fleet index"): rows from the FleetDoc alone first, then from the summary
 * shards it lists (every column of every row from a few dozen small documents). Both are read
 * by the fleet index worker, from its cache when storage has not changed, so the main thread does
 * no Automerge work for them; the replica's Repo finds them (live) only once the relay is
 * connected, or when the index cannot give them. A row whose DeviceDoc is loaded is
 * computed from the DeviceDoc and wins over its shard entry: DeviceDocs load, a few at a time once
 * the first rows are painted, for the rows in view, for devices with this admin's changes the
 * relay has not stored (so an offline edit shows at once, after a reload too), and for devices the
 * shards do not summarize (all of them on a relay without shards). Those the relay was slow to give
 * are tried again while connected.
 */
export function createFleet(
  replica: Replica,
  options: {
    /** Starts the fleet index (tests run its reading in the page, where DOMs have no workers). */
    openIndex?: typeof openFleetIndex;
  } = {},
): Fleet {
  const [status, setStatus] = createSignal<"loading" | "ready" | "unavailable">("loading");
  /**
   * Rows as plain, immutable objects, and a version that counts the batches applied: filtering
   * and sorting 10,000 rows reads plain objects, not a store's proxies, and a batch of 10,000 new
   * rows is 10,000 map writes, not 10,000 store diffs. The table redraws only the rows in view.
   */
  const rows = new Map<string, FleetRow>();
  const [version, setVersion] = createSignal(0);
  const isOnline = createIsOnline(replica.presence, PRESENCE_TICK_MS);
  const entries = new Map<string, FleetDevice>();
  const folds = new FoldCache();
  const cleanups: (() => void)[] = [];

  const deviceDocs = makeDeviceDocs(replica, (deviceId) => refreshRow(deviceId));
  /** Devices by the document ID of their DeviceDoc, for this admin's pending changes. */
  const deviceOfDocument = new Map<string, string>();
  let summariesListed = false;
  let summaryIndex: FleetSummaryIndex | undefined;
  /**
   * The Repo follows the FleetDoc and shards (`makeFleetSources`): shard handles are found from
   * then on; before, their entries are the fleet index's.
   */
  let repoFollowing = false;
  const shards = makeSummaryShards(replica.repo, (deviceIds) => {
    if (repoFollowing) sources.changed();
    for (const deviceId of deviceIds) {
      refreshRow(deviceId);
      // A device with no usable summary is summarized here, from its DeviceDoc.
      if (shards.summaryOf(deviceId) === undefined) loads.request(deviceId);
    }
    if (shards.settled()) requestUnsummarized();
    markProgress();
  });
  /** Devices the settled shards say nothing of: their rows need their DeviceDocs. */
  let unsummarizedRequested = false;
  const requestUnsummarized = () => {
    if (unsummarizedRequested) return;
    unsummarizedRequested = true;
    for (const deviceId of entries.keys()) {
      if (shards.summaryOf(deviceId) === undefined) loads.request(deviceId);
    }
  };
  const requestPending = () => {
    for (const documentId of replica.pending.documentIds()) {
      const deviceId = deviceOfDocument.get(documentId);
      if (deviceId !== undefined) loads.request(deviceId, true);
    }
  };
  const openDays = makeOpenDays(replica.repo, (deviceId) => refreshRow(deviceId));
  const loads = makeLoadQueue({
    load: (deviceId) => loadDevice(deviceId),
    isLoaded: (deviceId) => deviceDocs.handleOf(deviceId) !== undefined,
    concurrency: LOAD_CONCURRENCY,
    shouldRetry: () => replica.connection.state.kind === "connected",
  });
  const marks = { listed: false, complete: false };
  /** The first rows are drawn from the FleetDoc alone before any DeviceDoc loads. */
  let rowsShown = false;
  const batcher = makeRowBatcher<FleetRow>(ROW_FLUSH_MS, (queued) => {
    for (const [deviceId, next] of queued) {
      // A row queued just before its device left the fleet stays gone.
      if (entries.has(deviceId)) rows.set(deviceId, next);
    }
    setVersion((current) => current + 1);
    markProgress();
    if (!rowsShown) {
      rowsShown = true;
      afterPaint(() => {
        // Loading shards is Automerge work on the main thread: the rows the FleetDoc gives are
        // painted first.
        if (summaryIndex !== undefined && repoFollowing) shards.follow(summaryIndex);
        loads.start();
      });
    }
  });

  const markProgress = () => {
    if (entries.size === 0) return;
    const detail = { devices: entries.size };
    if (!marks.listed && rows.size >= entries.size) {
      marks.listed = true;
      performance.mark(FLEET_LISTED_MARK, { detail });
    }
    if (!marks.complete && marks.listed && isComplete()) {
      marks.complete = true;
      performance.mark(FLEET_COMPLETE_MARK, { detail });
      afterPaint(() => {
        for (const deviceId of wantedWhileFilling) wantLastSample(deviceId);
        wantedWhileFilling.clear();
      });
    }
  };

  /** Every listed device has its row's facts (summary or DeviceDoc), as the table shows them. */
  const isComplete = () => {
    for (const deviceId of entries.keys()) {
      const row = batcher.queued(deviceId) ?? rows.get(deviceId);
      if (row === undefined || !row.loaded) return false;
    }
    return true;
  };

  const refreshRow = (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined) return;
    const doc = deviceDocs.handleOf(deviceId)?.doc();
    const row =
      doc !== undefined
        ? rowOf(deviceId, entry, doc, folds, openDays.rollupOf(deviceId))
        : rowOfSummary(deviceId, entry, shards.summaryOf(deviceId));
    const lastSampleAt = openDays.lastSampleAt(deviceId);
    batcher.queue(deviceId, lastSampleAt === undefined ? row : { ...row, lastSampleAt });
  };

  const loadDevice = async (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined || deviceDocs.handleOf(deviceId) !== undefined) return;
    const handle = await deviceDocs.load(deviceId, entry.deviceDocUrl);
    if (handle === undefined) return;
    refreshRow(deviceId);
    openDays.deviceLoaded(deviceId, handle.doc());
  };

  const readFleet = (fleet: FleetContent) => {
    const listed = fleet.devices ?? {};
    // An admin removed the device on the relay: its row goes, here and now.
    for (const deviceId of [...entries.keys()].filter((id) => !(id in listed))) {
      entries.delete(deviceId);
      deviceDocs.forget(deviceId);
      rows.delete(deviceId);
      setVersion((current) => current + 1);
    }
    if (fleet.summaries !== undefined) {
      summariesListed = true;
      summaryIndex = fleet.summaries;
      if (!repoFollowing) shards.know(fleet.summaries);
      else if (rowsShown) shards.follow(fleet.summaries);
    }
    for (const [deviceId, entry] of Object.entries(listed)) {
      const known = entries.get(deviceId);
      entries.set(deviceId, entry);
      if (known === undefined || known.deviceDocUrl !== entry.deviceDocUrl) {
        if (known !== undefined) deviceDocs.forget(deviceId);
        deviceOfDocument.set(entry.deviceDocUrl.slice("automerge:".length), deviceId);
        refreshRow(deviceId);
        // Without shards every row needs its DeviceDoc; with them, only those they lack.
        if (!summariesListed || (shards.settled() && !shards.summaryOf(deviceId)))
          loads.request(deviceId);
      } else if (known.revokedAt !== entry.revokedAt || known.hostname !== entry.hostname) {
        // Revoked (or enrolled again) by an admin: the row says so, its DeviceDoc stays loaded.
        refreshRow(deviceId);
      }
    }
    requestPending();
  };

  const sources = makeFleetSources(
    replica,
    {
      readFleet,
      seedShard: (url, summaries) => shards.seed(url, summaries),
      followShards: () => {
        repoFollowing = true;
        if (rowsShown && summaryIndex !== undefined) shards.follow(summaryIndex);
      },
      status: (next) => {
        if (next === "ready" || status() !== "ready") setStatus(next);
      },
    },
    options.openIndex,
  );
  cleanups.push(() => sources.close());

  // Back online: documents that could not be found before may be on the relay now.
  cleanups.push(
    replica.connection.onStateChange((state) => {
      if (state.kind !== "connected") return;
      sources.wantRepo();
      for (const deviceId of entries.keys()) {
        if (!summariesListed || !shards.summaryOf(deviceId)) loads.request(deviceId);
      }
    }),
  );
  // This admin's change to a device (the device page, a bulk enqueue): its row is computed from
  // the DeviceDoc from now on, so it shows before the relay has summarized it.
  cleanups.push(replica.pending.onChange(requestPending));

  onCleanup(() => {
    batcher.close();
    loads.close();
    openDays.close();
    shards.close();
    deviceDocs.close();
    for (const cleanup of cleanups) cleanup();
  });

  /** Rows in view asked for their DeviceDoc and open day while the shards were filling rows. */
  const wantedWhileFilling = new Set<string>();
  function wantLastSample(deviceId: string) {
    const handle = deviceDocs.handleOf(deviceId);
    if (openDays.want(deviceId, handle?.doc()) && handle === undefined) {
      loads.request(deviceId, true);
    }
  }

  const rowList = createMemo(() => {
    version();
    return [...rows.values()];
  });
  return {
    status,
    rows: rowList,
    row: (deviceId) => {
      version();
      return rows.get(deviceId);
    },
    handleOf: deviceDocs.handleOf,
    isOnline,
    wantLastSample: (deviceId) => {
      // With shards, every row is complete from them first; the DeviceDocs and open days of the
      // rows in view (one open day can be thousands of changes: a long task) come after.
      if (summariesListed && !marks.complete) {
        wantedWhileFilling.add(deviceId);
        return;
      }
      wantLastSample(deviceId);
    },
  };
}

/** Runs `task` after the next frame is painted (at once where there are no frames). */
function afterPaint(task: () => void): void {
  if (typeof requestAnimationFrame === "function") {
    requestAnimationFrame(() => setTimeout(task, 0));
  } else {
    setTimeout(task, 0);
  }
}
