/**
 * What the benchmark installs in every page before the app's own scripts run. Plain JavaScript
 * in a string: tsx compiles this package with `keepNames`, and the `__name` helpers it would wrap
 * functions in do not exist in the page.
 *
 * - `bench:fleet-interactive`, a User Timing mark at the first animation frame in which the
 *   fleet page counts every device and its first row is laid out inside the viewport, with a
 *   link to open it: the table an admin can read and click.
 * - Long tasks (main thread busy over 50 ms) from the start of the page.
 * - The time stamp of the next click on the telemetry range picker, once armed.
 * - `replicaSummary(database)`: which documents the IndexedDB replica holds, and how many bytes.
 */

/** Figures the probe keeps in the page (`window.__outpostBench`). */
export interface ProbeState {
  longTasks: { startTime: number; duration: number }[];
  rangeClickAt?: number;
}

/** What `replicaSummary` answers. */
export interface ReplicaSummary {
  documentIds: string[];
  records: number;
  bytes: number;
}

/** The mark the probe sets when the fleet table is interactive. */
export const FLEET_INTERACTIVE_MARK = "bench:fleet-interactive";

/** The probe for a fleet of `devices` (the count the fleet page must show). */
export function probeScript(devices: number): string {
  return `(() => {
  const state = { longTasks: [], rangeClickAt: undefined, armed: false };
  window.__outpostBench = state;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        state.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  document.addEventListener("click", (event) => {
    if (!state.armed || !(event.target instanceof Element)) return;
    if (!event.target.closest("fieldset.segmented")) return;
    state.armed = false;
    state.rangeClickAt = event.timeStamp;
  }, true);
  state.armRangeClick = () => { state.armed = true; state.rangeClickAt = undefined; };
  state.replicaSummary = (database) => new Promise((resolve, reject) => {
    const opening = indexedDB.open(database);
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      const ids = new Set();
      let records = 0;
      let bytes = 0;
      const cursor = db.transaction("documents").objectStore("documents").openCursor();
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (at === null) {
          db.close();
          resolve({ documentIds: [...ids], records, bytes });
          return;
        }
        ids.add(at.key[0]);
        records += 1;
        bytes += at.value?.binary?.byteLength ?? 0;
        at.continue();
      };
    };
  });
  if (location.hash !== "" && location.hash !== "#/") return;
  const deadline = performance.now() + 120000;
  const watch = () => {
    const count = document.querySelector('[data-testid="fleet-count"]');
    const row = document.querySelector("tr[data-device]");
    const link = row?.querySelector("a[href]");
    const box = row?.getBoundingClientRect();
    if (count?.textContent?.trim() === "${devices}" && link && box && box.height > 0 &&
        box.top < innerHeight && box.bottom > 0) {
      performance.mark("${FLEET_INTERACTIVE_MARK}", { detail: { deviceId: row.dataset.device } });
      return;
    }
    if (performance.now() < deadline) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();`;
}
