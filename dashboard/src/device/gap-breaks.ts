/** A pause shorter than this is never a gap: jitter and a slow collector stay one line. */
const MIN_GAP_S = 120;
/** A pause this many times longer than the sampling around it is a gap. */
const GAP_FACTOR = 3;

/**
 * uPlot's aligned data for one metric, with a null point inserted wherever the device was not
 * sampling (asleep, off, the agent stopped), so the line breaks there instead of bridging hours
 * with a straight segment (see {@link isGap}). A missing value (NaN) is null too.
 */
export function withGapBreaks(
  t: ArrayLike<number>,
  values: ArrayLike<number>,
): [Float64Array, (number | null)[]] {
  // Sized once (a week is 60,000 points in each of nine charts): no array growing point by point.
  const breaks: number[] = [];
  for (let i = 1; i < t.length; i += 1) if (isGap(t, i)) breaks.push(i);
  const times = new Float64Array(t.length + breaks.length);
  const points: (number | null)[] = new Array(times.length).fill(null);
  let out = 0;
  let nextBreak = 0;
  for (let i = 0; i < t.length; i += 1) {
    if (breaks[nextBreak] === i) {
      nextBreak += 1;
      times[out] = (t[i - 1] as number) + 1;
      out += 1; // its point stays null
    }
    const value = values[i] as number;
    times[out] = t[i] as number;
    points[out] = Number.isNaN(value) ? null : value;
    out += 1;
  }
  return [times, points];
}

/**
 * Whether the pause before sample `i` (seconds) is a gap: over two minutes, and over three times
 * the longer of the intervals just before and just after it (the longer, so that the step from
 * a downsampled day to a day of 10 s samples is not taken for one).
 */
function isGap(t: ArrayLike<number>, i: number): boolean {
  const pause = (t[i] as number) - (t[i - 1] as number);
  if (pause <= MIN_GAP_S) return false;
  const before = i >= 2 ? (t[i - 1] as number) - (t[i - 2] as number) : 0;
  const after = i + 1 < t.length ? (t[i + 1] as number) - (t[i] as number) : 0;
  return pause > GAP_FACTOR * Math.max(before, after);
}
