import type { Repo } from "@automerge/automerge-repo/slim";
import type { LiveRollup } from "@outpost/shared-model";
import { computeRollup, type DeviceDoc } from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";
import { ForeignDayDocument, findDayOf } from "./find-day.js";
import { latestSampleAt } from "./latest-sample.js";

const logger = makeLogger("fleet");

/**
 * The newest day documents of the devices a view asked for, followed as samples arrive: the
 * fleet's rows in view show the exact last sample and judge health with today's rollup so far.
 */
export interface OpenDays {
  /**
   * Notes that a view wants the device's open day, and follows it now if its DeviceDoc is here
   * (`doc`). True the first time it is asked for; later calls do nothing.
   */
  want(deviceId: string, doc: DeviceDoc | undefined): boolean;
  /** The device's DeviceDoc is here (again): follows its open day if a view wanted it. */
  deviceLoaded(deviceId: string, doc: DeviceDoc): void;
  /** Today's rollup so far, once the device's open day is loaded. */
  rollupOf(deviceId: string): LiveRollup | undefined;
  /** The newest sample in the device's open day, once it is loaded and has one. */
  lastSampleAt(deviceId: string): number | undefined;
  /** Stops following every day document. */
  close(): void;
}

/**
 * Follows open day documents for the views that want them. `onSample` is called with the device
 * whenever its open day holds a sample (at once, then on each change), for its row to be redrawn.
 * A day document that is not here, or that is not the device's own day (see
 * {@link ForeignDayDocument}), is left alone: the row keeps its day-level "last sample".
 * Not reactive: the owner calls `close`.
 */
export function makeOpenDays(
  repo: Pick<Repo, "find">,
  onSample: (deviceId: string) => void,
): OpenDays {
  const wanted = new Set<string>();
  const rollups = new Map<string, LiveRollup>();
  const lastSamples = new Map<string, number>();
  const cleanups: (() => void)[] = [];
  let closed = false;

  const follow = async (deviceId: string, doc: DeviceDoc) => {
    const days = Object.keys(doc.telemetry ?? {}).sort();
    const newest = days[days.length - 1];
    const url = newest ? doc.telemetry[newest as keyof DeviceDoc["telemetry"]]?.url : undefined;
    if (newest === undefined || url === undefined) return;
    try {
      const day = await findDayOf(repo, deviceId, newest, url);
      if (closed) return;
      const update = () => {
        const dayDoc = day.doc();
        rollups.set(deviceId, { day: dayDoc.day, rollup: computeRollup(dayDoc) });
        const at = latestSampleAt(dayDoc);
        if (at === undefined) return;
        lastSamples.set(deviceId, at);
        onSample(deviceId);
      };
      day.on("change", update);
      cleanups.push(() => day.off("change", update));
      update();
    } catch (failure) {
      if (failure instanceof ForeignDayDocument) logger.warn(failure.message);
      // Otherwise the day is not here: the row keeps its day-level "last sample".
    }
  };

  return {
    want(deviceId, doc) {
      if (wanted.has(deviceId)) return false;
      wanted.add(deviceId);
      if (doc !== undefined) void follow(deviceId, doc);
      return true;
    },
    deviceLoaded(deviceId, doc) {
      if (wanted.has(deviceId)) void follow(deviceId, doc);
    },
    rollupOf: (deviceId) => rollups.get(deviceId),
    lastSampleAt: (deviceId) => lastSamples.get(deviceId),
    close() {
      closed = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}
