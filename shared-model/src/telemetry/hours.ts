/** Milliseconds in one UTC hour (epoch time has no leap seconds, so every hour is this long). */
export const HOUR_MS = 3_600_000;
/** Milliseconds in one UTC day. */
export const DAY_MS = 24 * HOUR_MS;

/** The bucket keys of a day document in chronological order, `"00"`..`"23"`. */
export const HOUR_KEYS: readonly string[] = Array.from({ length: 24 }, (_, hour) =>
  String(hour).padStart(2, "0"),
);

/**
 * The bucket key (`"00"`..`"23"`) for an offset into the day. Keys are zero-padded so that
 * sorting them as strings is chronological.
 */
export function hourKeyOf(msSinceStartOfDay: number): string {
  return HOUR_KEYS[Math.floor(msSinceStartOfDay / HOUR_MS)] ?? "";
}
