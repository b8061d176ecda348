import type { TimeWindow } from "@outpost/shared-model";
import { type GateResult, OPEN } from "./gate-result.js";

/** Minutes since local midnight of `HH:MM`. */
function minutesOf(clockTime: string): number {
  const [hours, minutes] = clockTime.split(":").map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** The device's wall-clock time of day at `at`, in minutes since local midnight. */
export function localMinutesOf(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(at));
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return field("hour") * 60 + field("minute");
}

/**
 * True when the device's local wall-clock time at `at` lies in `[start, end)`. A window whose
 * end is before its start crosses midnight (`22:00`–`02:00`); equal ends mean all day. Wall-clock
 * time makes daylight saving behave as a person expects: on the night clocks jump from 02:00 to
 * 03:00, a 02:00–04:00 window is open from 03:00 for one hour; on the night they fall back, it is
 * open for three real hours because 02:00–03:00 happens twice.
 */
export function isInWindow(window: TimeWindow, at: number, timeZone: string): boolean {
  const now = localMinutesOf(at, timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The maintenance-window gate (ARCHITECTURE.md, "Gates and defaults"): a command marked `window:
 * maintenance`, or of a disruptive kind, starts only inside the device's window (policy, device
 * local time).
 */
export function maintenanceWindowGate(options: {
  needsWindow: boolean;
  window: TimeWindow;
  at: number;
  timeZone: string;
}): GateResult {
  if (!options.needsWindow || isInWindow(options.window, options.at, options.timeZone)) return OPEN;
  const minutes = localMinutesOf(options.at, options.timeZone);
  const local = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  return {
    open: false,
    reason: "maintenance-window",
    detail: `waits for the maintenance window ${options.window.start}–${options.window.end} (device time ${local}, ${options.timeZone})`,
  };
}
