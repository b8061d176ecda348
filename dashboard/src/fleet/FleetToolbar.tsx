import { For, type JSX } from "solid-js";
import type { Fleet } from "../primitives/create-fleet.js";
import type { FleetColumn, RowContext } from "./columns.js";
import { FLEET_COLUMNS } from "./columns.js";
import type { FleetQuery } from "./fleet-query.js";
import type { FleetRow } from "./fleet-row.js";
import { HEALTH_ORDER } from "./health.js";

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
  fleet: Fleet;
}): JSX.Element {
  const update = (change: Partial<FleetQuery>) => props.onQuery({ ...props.query, ...change });
  return (
    <search class="toolbar">
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
  );
}
