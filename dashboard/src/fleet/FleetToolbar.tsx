import type { EnqueueInput } from "@outpost/shared-model";
import { HEALTH_ORDER } from "@outpost/shared-model";
import { createSignal, For, type JSX, Show } from "solid-js";
import { EnqueueForm } from "../commands/EnqueueForm.js";
import type { EnqueueReport } from "../commands/enqueue-report.js";
import type { EnqueueTarget } from "../device/device-actions.js";
import { ExportButtons } from "../export/ExportButtons.js";
import { fleetExport } from "../export/fleet-export.js";
import type { Fleet } from "../primitives/create-fleet.js";
import type { FleetColumn, RowContext } from "./columns.js";
import { FLEET_COLUMNS } from "./columns.js";
import type { FleetQuery } from "./fleet-query.js";
import type { FleetRow } from "./fleet-row.js";

/** Search, filters, visible columns and the actions on the shown or selected devices. */
export function FleetToolbar(props: {
  query: FleetQuery;
  onQuery: (query: FleetQuery) => void;
  lifecycles: readonly string[];
  visibleColumns: readonly string[];
  onVisibleColumns: (ids: readonly string[]) => void;
  selected: ReadonlySet<string>;
  shown: readonly FleetRow[];
  columns: readonly FleetColumn[];
  context: RowContext;
  /** Where the selected devices' documents are, once this browser has loaded them. */
  fleet: Pick<Fleet, "handleOf">;
  /** Signs and enqueues on the selected devices, those whose documents are not loaded included. */
  onEnqueue: (
    targets: readonly EnqueueTarget[],
    input: Omit<EnqueueInput, "id">,
  ) => Promise<EnqueueReport>;
  /** Why nothing can be signed now (no certified key): bulk enqueue is off and says so. */
  enqueueBlocked?: string | undefined;
}): JSX.Element {
  const update = (change: Partial<FleetQuery>) => props.onQuery({ ...props.query, ...change });
  const [enqueueing, setEnqueueing] = createSignal(false);
  // Every selected device is a target: the enqueue names the ones it could not write.
  const targets = (): EnqueueTarget[] =>
    [...props.selected].map((deviceId) => ({ deviceId, handle: props.fleet.handleOf(deviceId) }));
  const loadedCount = () => targets().filter((target) => target.handle !== undefined).length;
  return (
    <div class="toolbar">
      <search class="filters">
        <label class="search">
          <span class="visually-hidden">Search devices</span>
          <input
            type="search"
            placeholder="Search name, assignee, location, tag…"
            value={props.query.search}
            onInput={(event) => update({ search: event.currentTarget.value })}
          />
        </label>
        <label>
          Health
          <select
            value={props.query.health}
            onChange={(event) =>
              update({ health: event.currentTarget.value as FleetQuery["health"] })
            }
          >
            <option value="any">any</option>
            <For each={HEALTH_ORDER}>{(health) => <option value={health}>{health}</option>}</For>
          </select>
        </label>
        <label>
          Online
          <select
            value={props.query.online}
            onChange={(event) =>
              update({ online: event.currentTarget.value as FleetQuery["online"] })
            }
          >
            <option value="any">any</option>
            <option value="online">online now</option>
            <option value="offline">offline</option>
          </select>
        </label>
        <label>
          Lifecycle
          <select
            value={props.query.lifecycle}
            onChange={(event) => update({ lifecycle: event.currentTarget.value })}
          >
            <option value="any">any</option>
            <For each={props.lifecycles}>
              {(lifecycle) => <option value={lifecycle}>{lifecycle}</option>}
            </For>
          </select>
        </label>
        <label>
          Access
          <select
            value={props.query.access}
            onChange={(event) =>
              update({ access: event.currentTarget.value as FleetQuery["access"] })
            }
          >
            <option value="any">any</option>
            <option value="active">not revoked</option>
            <option value="revoked">revoked</option>
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={props.query.failedOnly}
            onChange={(event) => update({ failedOnly: event.currentTarget.checked })}
          />
          With failed commands
        </label>
        <details class="columns">
          <summary>Columns</summary>
          <fieldset>
            <legend class="visually-hidden">Visible columns</legend>
            <For each={FLEET_COLUMNS}>
              {(column) => (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={props.visibleColumns.includes(column.id)}
                    disabled={column.id === "hostname"}
                    onChange={(event) =>
                      props.onVisibleColumns(
                        event.currentTarget.checked
                          ? FLEET_COLUMNS.map((c) => c.id).filter(
                              (id) => id === column.id || props.visibleColumns.includes(id),
                            )
                          : props.visibleColumns.filter((id) => id !== column.id),
                      )
                    }
                  />
                  {column.label}
                </label>
              )}
            </For>
          </fieldset>
        </details>
      </search>
      <div class="bulk">
        <button
          type="button"
          disabled={props.selected.size === 0 || props.enqueueBlocked !== undefined}
          title={props.enqueueBlocked}
          onClick={() => setEnqueueing(true)}
        >
          Enqueue on {props.selected.size} selected
        </button>
        <ExportButtons
          label="fleet"
          fileName="fleet"
          source={() => fleetExport(props.shown, props.columns, props.context)}
        />
      </div>
      <Show when={enqueueing()}>
        <div class="dialog-backdrop">
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="bulk-enqueue-title"
            class="dialog wide"
          >
            <h2 id="bulk-enqueue-title">Enqueue a command on {props.selected.size} device(s)</h2>
            <Show when={loadedCount() < props.selected.size}>
              <p class="conflict" role="note">
                {props.selected.size - loadedCount()} of them have not reached this browser yet and
                are left out.
              </p>
            </Show>
            <EnqueueForm
              targetCount={loadedCount()}
              blocked={props.enqueueBlocked}
              onEnqueue={(input) => props.onEnqueue(targets(), input)}
            />
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setEnqueueing(false)}>
                Close
              </button>
            </div>
          </div>
        </div>
      </Show>
    </div>
  );
}
