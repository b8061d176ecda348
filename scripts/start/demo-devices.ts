import { generateAutomergeUrl } from "@automerge/automerge-repo";
import type { Relay } from "@outpost/relay";
import { seededRandom } from "@outpost/shared-model";
import {
  buildDemoTelemetry,
  drawOfflinePattern,
  drawTrouble,
} from "../synthetic-fleet/demo-telemetry.js";
import { saveDeviceDocument } from "../synthetic-fleet/device-history.js";
import { Enrollments } from "../synthetic-fleet/enrollments.js";
import {
  documentIdOf,
  type SavedDocument,
  storeInRelayFolder,
} from "../synthetic-fleet/relay-storage.js";
import { deviceIdentity, drawDeviceHistory } from "../synthetic-fleet/synthetic-device.js";

/** The same seed on every run: demo device `i` is the same device, so a rerun adds only new ones. */
const DEMO_SEED = 7_707;
/**
 * Days of history before now, a sample every 5 minutes: an agent samples every 10 s, but 50 demo
 * devices at that rate would take minutes to build, and a chart of days looks the same.
 */
const HISTORY_DAYS = 3;
const SAMPLE_INTERVAL_S = 300;

/**
 * Adds demo devices `0 … count - 1` that the relay does not know yet: each enrolls through
 * `POST /v1/enroll` as an agent would, then its DeviceDoc (inventory, asset, a few commands with
 * their facts) and day documents (three days of telemetry with nights asleep, trips, devices not
 * seen for a day or two, and a few full disks and hot machines) are stored in the relay's folder as the relay would after syncing them.
 * Storing needs the folder to itself, so this runs the relay through `startRelay` and stops it
 * again; a demo built over the websocket would take minutes. Returns how many were added.
 */
export async function addDemoDevices(options: {
  count: number;
  relayDataDirectory: string;
  /** Starts the relay with enrollment unthrottled (every demo device enrolls from 127.0.0.1). */
  startRelay: () => Promise<Relay>;
  say: (line: string) => void;
}): Promise<number> {
  const { count, say } = options;
  const now = Date.now();
  const relay = await options.startRelay();
  const saved: SavedDocument[] = [];
  let added = 0;
  try {
    const missing = Array.from({ length: count }, (_, index) => index).filter(
      (index) => relay.principals.device(deviceIdentity(DEMO_SEED, index).deviceId) === undefined,
    );
    if (missing.length === 0) return 0;
    say(`Adding ${missing.length} demo devices with ${HISTORY_DAYS} days of history…`);
    const enrollments = new Enrollments(relay.url, await relay.principals.enrollmentSecret());
    for (const index of missing) {
      const { deviceId, hostname } = deviceIdentity(DEMO_SEED, index);
      const random = seededRandom(DEMO_SEED * 31 + index);
      const pattern = drawOfflinePattern(random, now, HISTORY_DAYS);
      const days = buildDemoTelemetry(deviceId, pattern, {
        now,
        days: HISTORY_DAYS,
        intervalS: SAMPLE_INTERVAL_S,
        seed: DEMO_SEED + index,
        trouble: drawTrouble(random),
      });
      const history = drawDeviceHistory({
        seed: DEMO_SEED,
        index,
        now,
        days: days.map((day) => day.index),
      });
      const deviceDocUrl = generateAutomergeUrl();
      enrollments.enroll({ deviceId, hostname, deviceDocUrl });
      saved.push({ documentId: documentIdOf(deviceDocUrl), ...saveDeviceDocument(history) });
      for (const { index: entry, binary, heads } of days) {
        saved.push({ documentId: documentIdOf(entry.url), binary, heads });
      }
    }
    await enrollments.whenDone();
    added = missing.length;
  } finally {
    await relay.stop();
  }
  if (added > 0) await storeInRelayFolder(options.relayDataDirectory, saved);
  return added;
}
