import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  DAY_MS,
  type DeviceDoc,
  dayOf,
  messageOf,
  readRange,
  type TelemetryDayDoc,
  type TelemetryRange,
} from "@outpost/shared-model";
import { type Accessor, createEffect, createSignal, on, onCleanup } from "solid-js";
import { ForeignDayDocument } from "../primitives/find-day.js";

/** The ranges an admin picks from, longest 30 days. */
export const RANGES = [
  { id: "1h", label: "1 hour", ms: 3_600_000 },
  { id: "6h", label: "6 hours", ms: 6 * 3_600_000 },
  { id: "24h", label: "24 hours", ms: DAY_MS },
  { id: "7d", label: "7 days", ms: 7 * DAY_MS },
  { id: "30d", label: "30 days", ms: 30 * DAY_MS },
] as const;

/** One range's id. */
export type RangeId = (typeof RANGES)[number]["id"];

/** A range's telemetry, or where its loading stands. */
export type TelemetryState =
  | { kind: "loading"; loaded: number; total: number }
  | {
      kind: "ready";
      range: TelemetryRange;
      fromMs: number;
      toMs: number;
      missingDays: string[];
      /** Why days the index lists were not read: documents that are not this device's day. */
      refused: string[];
    }
  | { kind: "error"; message: string };

/**
 * Loads, on demand, with `findDay`, the day documents of the range `rangeId` of a device's
 * telemetry (from its DeviceDoc's index), and reads them into columns for the charts. Days the
 * replica does not hold and cannot fetch are reported, not fatal; a document that is not this
 * device's day is refused and said so. The open day keeps the charts
 * live: each new sample re-reads the range.
 */
export function createTelemetryRange(
  findDay: (day: string, url: string) => Promise<DocHandle<TelemetryDayDoc>>,
  telemetry: Accessor<DeviceDoc["telemetry"]>,
  rangeId: Accessor<RangeId>,
): Accessor<TelemetryState> {
  const [state, setState] = createSignal<TelemetryState>({ kind: "loading", loaded: 0, total: 0 });
  let generation = 0;
  const rangeMs = () => RANGES.find((range) => range.id === rangeId())?.ms ?? RANGES[2].ms;

  createEffect(
    on([rangeMs, () => daysInIndex(telemetry())], ([ms]) => {
      const mine = ++generation;
      const toMs = Date.now() + 60_000;
      const fromMs = toMs - 60_000 - ms;
      const wanted = Object.entries(telemetry()).filter(([day]) => overlaps(day, fromMs, toMs));
      setState({ kind: "loading", loaded: 0, total: wanted.length });
      const handles: DocHandle<TelemetryDayDoc>[] = [];
      const missingDays: string[] = [];
      const refused: string[] = [];
      const read = () => {
        if (mine !== generation) return;
        try {
          const range = readRange(
            handles.map((handle) => handle.doc()),
            fromMs,
            Date.now() + 60_000,
          );
          setState({ kind: "ready", range, fromMs, toMs, missingDays, refused });
        } catch (error) {
          setState({ kind: "error", message: messageOf(error) });
        }
      };
      let loaded = 0;
      const listeners: (() => void)[] = [];
      void Promise.all(
        wanted.map(async ([day, entry]) => {
          try {
            const handle = await findDay(day, entry.url);
            handles.push(handle);
            // Only today's document still grows; following it keeps the charts live.
            if (day === dayOf(Date.now())) {
              handle.on("change", read);
              listeners.push(() => handle.off("change", read));
            }
          } catch (failure) {
            if (failure instanceof ForeignDayDocument) refused.push(failure.message);
            else missingDays.push(day);
          } finally {
            loaded += 1;
            if (mine === generation && loaded < wanted.length) {
              setState({ kind: "loading", loaded, total: wanted.length });
            }
          }
        }),
      ).then(read);
      onCleanup(() => {
        for (const off of listeners) off();
      });
    }),
  );
  return state;
}

function daysInIndex(telemetry: DeviceDoc["telemetry"]): string {
  return Object.keys(telemetry).sort().join(",");
}

function overlaps(day: string, fromMs: number, toMs: number): boolean {
  const start = Date.parse(`${day}T00:00:00Z`);
  return start < toMs && start + DAY_MS > fromMs;
}
