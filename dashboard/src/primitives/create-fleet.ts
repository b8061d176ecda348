import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo/slim";
import {
  computeRollup,
  type DeviceDoc,
  type FleetDoc,
  FoldCache,
  type TelemetryDayDoc,
} from "@outpost/shared-model";
import { type Accessor, batch, createMemo, createSignal, onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { type FleetRow, rowOf } from "../fleet/fleet-row.js";
import type { LiveRollup } from "../fleet/health.js";
import type { Replica } from "../sync/replica.js";
import { latestSampleAt } from "./latest-sample.js";

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
/** User Timing marks: every FleetDoc device listed, and every DeviceDoc loaded (bench/dashboard). */
export const FLEET_LISTED_MARK = "outpost:fleet-listed";
export const FLEET_LOADED_MARK = "outpost:fleet-loaded";

/**
 * When a DeviceDoc could not be found while connected (a first sync of a large fleet can take
 * longer than automerge-repo waits for one document), the next try waits this long, doubling.
 */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

/** How often "online now" is re-evaluated (presence expires without any event). */
const PRESENCE_TICK_MS = 5_000;

/** Loads the fleet from the replica and keeps every row current. */
export function createFleet(replica: Replica): Fleet {
  const [status, setStatus] = createSignal<"loading" | "ready" | "unavailable">("loading");
  const [rows, setRows] = createStore<Record<string, FleetRow>>({});
  const [presenceVersion, setPresenceVersion] = createSignal(0);
  const [now, setNow] = createSignal(Date.now());
  const entries = new Map<string, FleetDoc["devices"][keyof FleetDoc["devices"]]>();
  const handles = new Map<string, DocHandle<DeviceDoc>>();
  const loading = new Set<string>();
  const retries = new Map<string, { delayMs: number; timer: ReturnType<typeof setTimeout> }>();
  /** DeviceDocs to load: the ones visible rows asked for first, then the FleetDoc's order. */
  const urgentLoads = new Set<string>();
  const laterLoads = new Set<string>();
  let loadsInFlight = 0;
  let pumpTimer: ReturnType<typeof setTimeout> | undefined;
  /** The first rows are drawn from the FleetDoc alone before any DeviceDoc loads. */
  let rowsShown = false;
  const lastSampleWanted = new Set<string>();
  /** Today's rollup so far, for devices whose open day is loaded (visible rows). */
  const liveRollups = new Map<string, LiveRollup>();
  const folds = new FoldCache();
  const queued = new Map<string, FleetRow>();
  const cleanups: (() => void)[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const queueRow = (row: FleetRow) => {
    queued.set(row.deviceId, row);
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      batch(() => {
        for (const [deviceId, next] of queued) setRows(deviceId, reconcile(next));
      });
      queued.clear();
      markProgress();
      if (!rowsShown) {
        rowsShown = true;
        afterPaint(schedulePump);
      }
    }, ROW_FLUSH_MS);
  };

  let listed = false;
  let loadedAll = false;
  const markProgress = () => {
    if (entries.size === 0) return;
    const rowCount = Object.keys(rows).length;
    if (!listed && rowCount >= entries.size) {
      listed = true;
      performance.mark(FLEET_LISTED_MARK, { detail: { devices: entries.size } });
    }
    if (!loadedAll && handles.size >= entries.size) {
      loadedAll = true;
      performance.mark(FLEET_LOADED_MARK, { detail: { devices: entries.size } });
    }
  };

  const refreshRow = (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined) return;
    const handle = handles.get(deviceId);
    const row = rowOf(deviceId, entry, handle?.doc(), folds, liveRollups.get(deviceId));
    const previous = queued.get(deviceId) ?? rows[deviceId];
    queueRow({ ...row, lastSampleAt: previous?.lastSampleAt });
  };

  const loadDevice = async (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined || handles.has(deviceId) || loading.has(deviceId)) return;
    loading.add(deviceId);
    try {
      const handle = await replica.repo.find<DeviceDoc>(entry.deviceDocUrl as AutomergeUrl);
      if (closed) return;
      handles.set(deviceId, handle);
      replica.watch(handle as DocHandle<unknown>);
      const onChange = () => refreshRow(deviceId);
      handle.on("change", onChange);
      cleanups.push(() => handle.off("change", onChange));
      refreshRow(deviceId);
      if (lastSampleWanted.has(deviceId)) void loadLastSample(deviceId);
      retries.delete(deviceId);
    } catch {
      // Not here and not reachable now: the row says so; a reconnection tries again, and while
      // connected, so does a timer (the relay may just have been slow to answer).
      if (!closed && replica.connection.state.kind === "connected") scheduleRetry(deviceId);
    } finally {
      loading.delete(deviceId);
    }
  };

  const requestLoad = (deviceId: string, urgent = false) => {
    if (handles.has(deviceId) || loading.has(deviceId)) return;
    if (urgent) {
      laterLoads.delete(deviceId);
      urgentLoads.add(deviceId);
    } else if (!urgentLoads.has(deviceId)) {
      laterLoads.add(deviceId);
    }
    if (rowsShown) schedulePump();
  };

  const schedulePump = () => {
    if (closed) return;
    pumpTimer ??= setTimeout(pump, 0);
  };

  const pump = () => {
    pumpTimer = undefined;
    // One document started per task, so input and paint get their turn in between.
    if (loadsInFlight >= LOAD_CONCURRENCY) return;
    const next = urgentLoads.values().next().value ?? laterLoads.values().next().value;
    if (next === undefined) return;
    urgentLoads.delete(next);
    laterLoads.delete(next);
    loadsInFlight += 1;
    void loadDevice(next).finally(() => {
      loadsInFlight -= 1;
      schedulePump();
    });
    schedulePump();
  };

  const scheduleRetry = (deviceId: string) => {
    const delayMs = Math.min(
      RETRY_MAX_MS,
      (retries.get(deviceId)?.delayMs ?? 0) * 2 || RETRY_FIRST_MS,
    );
    clearTimeout(retries.get(deviceId)?.timer);
    retries.set(deviceId, { delayMs, timer: setTimeout(() => requestLoad(deviceId), delayMs) });
  };

  const loadLastSample = async (deviceId: string) => {
    const doc = handles.get(deviceId)?.doc();
    const days = Object.keys(doc?.telemetry ?? {}).sort();
    const newest = days[days.length - 1];
    const url = newest ? doc?.telemetry[newest as keyof DeviceDoc["telemetry"]]?.url : undefined;
    if (url === undefined) return;
    try {
      const day = await replica.repo.find<TelemetryDayDoc>(url as AutomergeUrl);
      if (closed) return;
      const update = () => {
        const dayDoc = day.doc();
        liveRollups.set(deviceId, { day: dayDoc.day, rollup: computeRollup(dayDoc) });
        const at = latestSampleAt(dayDoc);
        const current = queued.get(deviceId) ?? rows[deviceId];
        if (current && at !== undefined) {
          const entry = entries.get(deviceId);
          const handle = handles.get(deviceId);
          const row = entry
            ? rowOf(deviceId, entry, handle?.doc(), folds, liveRollups.get(deviceId))
            : current;
          queueRow({ ...row, lastSampleAt: at });
        }
      };
      day.on("change", update);
      cleanups.push(() => day.off("change", update));
      update();
    } catch {
      // the day is not here: the row keeps its day-level "last sample"
    }
  };

  const readFleet = (fleet: FleetDoc) => {
    for (const [deviceId, entry] of Object.entries(fleet.devices ?? {})) {
      const known = entries.get(deviceId);
      entries.set(deviceId, entry);
      if (known === undefined || known.deviceDocUrl !== entry.deviceDocUrl) {
        if (known !== undefined) handles.delete(deviceId);
        refreshRow(deviceId);
        requestLoad(deviceId);
      }
    }
  };

  void (async () => {
    try {
      const fleet = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
      if (closed) return;
      const onChange = () => readFleet(fleet.doc());
      fleet.on("change", onChange);
      cleanups.push(() => fleet.off("change", onChange));
      readFleet(fleet.doc());
      setStatus("ready");
    } catch {
      if (!closed) setStatus("unavailable");
    }
  })();

  // Back online: documents that could not be found before may be on the relay now.
  cleanups.push(
    replica.connection.onStateChange((state) => {
      if (state.kind !== "connected") return;
      for (const deviceId of entries.keys()) requestLoad(deviceId);
    }),
  );
  cleanups.push(replica.presence.onHeard(() => setPresenceVersion((v) => v + 1)));
  const ticker = setInterval(() => setNow(Date.now()), PRESENCE_TICK_MS);

  onCleanup(() => {
    closed = true;
    clearInterval(ticker);
    clearTimeout(flushTimer);
    clearTimeout(pumpTimer);
    for (const retry of retries.values()) clearTimeout(retry.timer);
    for (const cleanup of cleanups) cleanup();
  });

  const rowList = createMemo(() => Object.values(rows));
  return {
    status,
    rows: rowList,
    row: (deviceId) => rows[deviceId],
    handleOf: (deviceId) => handles.get(deviceId),
    isOnline: (deviceId) => {
      presenceVersion();
      return replica.presence.isOnline(deviceId, now());
    },
    wantLastSample: (deviceId) => {
      if (lastSampleWanted.has(deviceId)) return;
      lastSampleWanted.add(deviceId);
      if (handles.has(deviceId)) void loadLastSample(deviceId);
      else requestLoad(deviceId, true);
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
