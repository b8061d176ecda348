import { createEffect, type JSX, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { withGapBreaks } from "./gap-breaks.js";

/** User Timing measure of each draw, from data to pixels (bench/dashboard reads these). */
export const CHART_DRAW_MEASURE = "outpost:chart-draw";

/**
 * One metric over time, drawn by uPlot on a canvas (60,000 points of a week at 10 s draw in a
 * few milliseconds). Gaps (no sample, or hours without samples) break the line rather than
 * bridging it.
 */
export function MetricChart(props: {
  metric: string;
  unit: string;
  t: Float64Array;
  values: Float64Array;
  fromMs: number;
  toMs: number;
}): JSX.Element {
  let container: HTMLDivElement | undefined;
  let plot: uPlot | undefined;
  let drawStartedAt = 0;

  const data = (): uPlot.AlignedData => withGapBreaks(props.t, props.values);

  onMount(() => {
    if (container === undefined) return;
    const width = Math.max(280, container.clientWidth);
    drawStartedAt = performance.now();
    plot = new uPlot(
      {
        width,
        height: 180,
        scales: { x: { time: true, min: props.fromMs / 1000, max: props.toMs / 1000 } },
        series: [
          {},
          {
            label: `${props.metric} (${props.unit})`,
            stroke: "#2563eb",
            width: 1.5,
            spanGaps: false,
            points: { show: false },
          },
        ],
        axes: [{}, { label: props.unit, size: 60 }],
        legend: { show: true },
        hooks: {
          draw: [
            (chart) => {
              performance.measure(CHART_DRAW_MEASURE, {
                start: drawStartedAt,
                detail: { metric: props.metric, points: chart.data[0].length },
              });
              container?.setAttribute("data-drawn", String(chart.data[0].length));
            },
          ],
        },
      },
      data(),
      container,
    );
    const resize = new ResizeObserver(() => {
      if (plot && container)
        plot.setSize({ width: Math.max(280, container.clientWidth), height: 180 });
    });
    resize.observe(container);
    onCleanup(() => {
      resize.disconnect();
      plot?.destroy();
    });
  });

  let first = true;
  createEffect(() => {
    const next = data();
    if (first || plot === undefined) {
      first = false; // onMount drew this data already
      return;
    }
    drawStartedAt = performance.now();
    plot.setScale("x", { min: props.fromMs / 1000, max: props.toMs / 1000 });
    plot.setData(next, false);
  });

  return (
    <figure class="chart">
      <figcaption>
        {props.metric} <span class="muted">({props.unit})</span>
      </figcaption>
      <div
        ref={container}
        class="chart-canvas"
        data-metric={props.metric}
        role="img"
        aria-label={`${props.metric} over the selected range`}
      />
    </figure>
  );
}
