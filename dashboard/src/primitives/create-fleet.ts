import type { DocHandle } from "@automerge/automerge-repo/slim";
import { type DeviceDoc, type FleetDevice, type FleetDoc, FoldCache } from "@outpost/shared-model";
import { type Accessor, batch, createMemo, createSignal, onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { type FleetRow, rowOf } from "../fleet/fleet-row.js";
import type { Replica } from "../sync/replica.js";
import { createIsOnline } from "./create-is-online.js";
import { makeDeviceDocs } from "./make-device-docs.js";
import { makeLoadQueue } from "./make-load-queue.js";
import { makeOpenDays } from "./make-open-days.js";
import { makeRowBatcher } from "./make-row-batcher.js";

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
/** How often "online now" is re-evaluated (presence expires without any event). */
const PRESENCE_TICK_MS = 5_000;

/**
 * Loads the fleet from the replica and keeps every row current: rows from the FleetDoc alone
 * first; once they are painted, DeviceDocs load a few at a time, rows in view first, and those
 * the relay was slow to give are tried again while connected.
 */
export function createFleet(replica: Replica): Fleet {
  const [status, setStatus] = createSignal<"loading" | "ready" | "unavailable">("loading");
  const [rows, setRows] = createStore<Record<string, FleetRow>>({});
  const isOnline = createIsOnline(replica.presence, PRESENCE_TICK_MS);
  const entries = new Map<string, FleetDevice>();
  const folds = new FoldCache();
  const cleanups: (() => void)[] = [];
  let closed = false;

  const deviceDocs = makeDeviceDocs(replica, (deviceId) => refreshRow(deviceId));
  const openDays = makeOpenDays(replica.repo, (deviceId) => refreshRow(deviceId));
  const loads = makeLoadQueue({
    load: (deviceId) => loadDevice(deviceId),
    isLoaded: (deviceId) => deviceDocs.handleOf(deviceId) !== undefined,
    concurrency: LOAD_CONCURRENCY,
    shouldRetry: () => replica.connection.state.kind === "connected",
  });
  const marks = { listed: false, loaded: false };
  /** The first rows are drawn from the FleetDoc alone before any DeviceDoc loads. */
  let rowsShown = false;
  const batcher = makeRowBatcher<FleetRow>(ROW_FLUSH_MS, (queued) => {
    batch(() => {
      for (const [deviceId, next] of queued) {
        // A row queued just before its device left the fleet stays gone.
        if (entries.has(deviceId)) setRows(deviceId, reconcile(next));
      }
    });
    markProgress();
    if (!rowsShown) {
      rowsShown = true;
      afterPaint(loads.start);
    }
  });

  const markProgress = () => {
    if (entries.size === 0) return;
    const detail = { devices: entries.size };
    if (!marks.listed && Object.keys(rows).length >= entries.size) {
      marks.listed = true;
      performance.mark(FLEET_LISTED_MARK, { detail });
    }
    if (!marks.loaded && deviceDocs.count() >= entries.size) {
      marks.loaded = true;
      performance.mark(FLEET_LOADED_MARK, { detail });
    }
  };

  const refreshRow = (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined) return;
    const doc = deviceDocs.handleOf(deviceId)?.doc();
    const row = rowOf(deviceId, entry, doc, folds, openDays.rollupOf(deviceId));
    batcher.queue(deviceId, { ...row, lastSampleAt: openDays.lastSampleAt(deviceId) });
  };

  const loadDevice = async (deviceId: string) => {
    const entry = entries.get(deviceId);
    if (entry === undefined || deviceDocs.handleOf(deviceId) !== undefined) return;
    const handle = await deviceDocs.load(deviceId, entry.deviceDocUrl);
    if (handle === undefined) return;
    refreshRow(deviceId);
    openDays.deviceLoaded(deviceId, handle.doc());
  };

  const readFleet = (fleet: FleetDoc) => {
    const listed = fleet.devices ?? {};
    // An admin removed the device on the relay: its row goes, here and now.
    for (const deviceId of [...entries.keys()].filter((id) => !(id in listed))) {
      entries.delete(deviceId);
      deviceDocs.forget(deviceId);
      setRows(deviceId, undefined as unknown as FleetRow);
    }
    for (const [deviceId, entry] of Object.entries(listed)) {
      const known = entries.get(deviceId);
      entries.set(deviceId, entry);
      if (known === undefined || known.deviceDocUrl !== entry.deviceDocUrl) {
        if (known !== undefined) deviceDocs.forget(deviceId);
        refreshRow(deviceId);
        loads.request(deviceId);
      } else if (known.revokedAt !== entry.revokedAt || known.hostname !== entry.hostname) {
        // Revoked (or enrolled again) by an admin: the row says so, its DeviceDoc stays loaded.
        refreshRow(deviceId);
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
      for (const deviceId of entries.keys()) loads.request(deviceId);
    }),
  );

  onCleanup(() => {
    closed = true;
    batcher.close();
    loads.close();
    openDays.close();
    deviceDocs.close();
    for (const cleanup of cleanups) cleanup();
  });

  const rowList = createMemo(() => Object.values(rows));
  return {
    status,
    rows: rowList,
    row: (deviceId) => rows[deviceId],
    handleOf: deviceDocs.handleOf,
    isOnline,
    wantLastSample: (deviceId) => {
      const handle = deviceDocs.handleOf(deviceId);
      if (openDays.want(deviceId, handle?.doc()) && handle === undefined) {
        loads.request(deviceId, true);
      }
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
