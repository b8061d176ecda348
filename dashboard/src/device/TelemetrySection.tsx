import { For, type JSX, Match, Show, Switch } from "solid-js";
import { ExportButtons } from "../export/ExportButtons.js";
import { telemetryExport } from "../export/telemetry-export.js";
import { formatTime } from "../ui/format.js";
import { Segmented } from "../ui/Segmented.js";
import { MetricChart } from "./MetricChart.js";
import { RANGES, type RangeId, type TelemetryState } from "./telemetry-range.js";

/** Metrics charted first, in this order; any other metric follows by name. */
const CHART_ORDER = ["cpu", "memory", "disk", "netRx", "netTx", "temperature", "battery", "rtt"];

/**
 * Charts of every metric over a chosen range. A view: the page loads the range's day documents
 * (`state`) when `onRangeId` picks another.
 */
export function TelemetrySection(props: {
  deviceId: string;
  rangeId: RangeId;
  onRangeId: (rangeId: RangeId) => void;
  state: TelemetryState;
}): JSX.Element {
  const state = () => props.state;
  const metrics = () => {
    const current = state();
    if (current.kind !== "ready") return [];
    const names = Object.keys(current.range.series).filter((name) =>
      current.range.series[name]?.some((value) => !Number.isNaN(value)),
    );
    const rank = (name: string) => {
      const index = CHART_ORDER.indexOf(name);
      return index === -1 ? CHART_ORDER.length : index;
    };
    return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  };
  return (
    <section class="card wide" aria-labelledby="telemetry-title">
      <div class="section-head">
        <h2 id="telemetry-title">Telemetry</h2>
        <Segmented
          legend="Time range"
          options={RANGES.map((range) => ({ value: range.id, label: range.label }))}
          value={props.rangeId}
          onChange={props.onRangeId}
        />
        <Show when={state().kind === "ready"}>
          <ExportButtons
            label="telemetry"
            fileName={`${props.deviceId}-telemetry-${props.rangeId}`}
            source={() => {
              const current = state();
              if (current.kind !== "ready") throw new Error("the range is still loading");
              return telemetryExport(props.deviceId, current.range);
            }}
          />
        </Show>
      </div>
      <Switch>
        <Match
          when={(() => {
            const s = state();
            return s.kind === "loading" ? s : undefined;
          })()}
        >
          {(loading) => (
            <p class="loading" role="status" aria-live="polite">
              Loading {loading().total} day document(s)… {loading().loaded} of {loading().total}
            </p>
          )}
        </Match>
        <Match
          when={(() => {
            const s = state();
            return s.kind === "error" ? s : undefined;
          })()}
        >
          {(failure) => (
            <p class="error" role="alert">
              {failure().message}
            </p>
          )}
        </Match>
        <Match
          when={(() => {
            const s = state();
            return s.kind === "ready" ? s : undefined;
          })()}
        >
          {(ready) => (
            <>
              <p class="muted" data-testid="telemetry-summary">
                {ready().range.t.length.toLocaleString()} samples, {formatTime(ready().fromMs)} to{" "}
                {formatTime(ready().toMs)}
                <Show when={ready().missingDays.length > 0}>
                  ; not in this browser yet: {ready().missingDays.join(", ")}
                </Show>
              </p>
              <For each={ready().refused}>
                {(reason) => (
                  <p class="error" role="alert">
                    Telemetry refused: {reason}
                  </p>
                )}
              </For>
              <Show
                when={metrics().length > 0}
                fallback={<p class="muted">No samples in this range.</p>}
              >
                <div class="charts">
                  <For each={metrics()}>
                    {(metric) => (
                      <MetricChart
                        metric={metric}
                        unit={ready().range.units[metric] ?? ""}
                        t={ready().range.t}
                        values={ready().range.series[metric] as Float64Array}
                        fromMs={ready().fromMs}
                        toMs={ready().toMs}
                      />
                    )}
                  </For>
                </div>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
