/** Display helpers shared by the pages: times, durations and sizes an admin reads at a glance. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `3 min`, `5 h`, `2 d`: how long ago, coarse. */
export function formatAge(ms: number): string {
  if (ms < MINUTE) return "just now";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
}

/** Local date and time, to the minute: `2026-12-01 14:05`. */
export function formatTime(at: number | undefined): string {
  if (at === undefined || !Number.isFinite(at)) return "—";
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO 8601 in UTC, for exports. */
export function isoTime(at: number | undefined): string {
  return at === undefined || !Number.isFinite(at) ? "" : new Date(at).toISOString();
}
