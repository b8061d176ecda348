import { describe, expect, it } from "vitest";
import { withGapBreaks } from "./gap-breaks.js";

const every = (from: number, step: number, count: number) =>
  Array.from({ length: count }, (_, i) => from + i * step);

describe("withGapBreaks", () => {
  it("breaks the line where the device slept, not between regular samples", () => {
    const t = [...every(0, 10, 4), ...every(8 * 3600, 10, 3)];
    const values = t.map((_, i) => i);
    const [times, points] = withGapBreaks(t, values);
    expect(Array.from(times)).toEqual([0, 10, 20, 30, 31, 28_800, 28_810, 28_820]);
    expect(points).toEqual([0, 1, 2, 3, null, 4, 5, 6]);
  });

  it("keeps downsampled hours, and the step from them to 10 s samples, as one line", () => {
    const t = [...every(0, 3600, 4), ...every(4 * 3600, 10, 3)];
    const [, points] = withGapBreaks(
      t,
      t.map(() => 1),
    );
    expect(points).not.toContain(null);
  });

  it("ignores pauses of two minutes or less, and turns NaN into null", () => {
    const [times, points] = withGapBreaks([0, 10, 120, 130], [1, Number.NaN, 3, 4]);
    expect(Array.from(times)).toEqual([0, 10, 120, 130]);
    expect(points).toEqual([1, null, 3, 4]);
  });
});
