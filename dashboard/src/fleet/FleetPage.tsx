import { HEALTH_ORDER, LIFECYCLES } from "@outpost/shared-model";
import { createMemo, createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { hrefOf } from "../app/route.js";
import { makeDeviceActions } from "../device/device-actions.js";
import type { Fleet } from "../primitives/create-fleet.js";
import { createNow } from "../primitives/create-now.js";
import { createPending } from "../primitives/create-pending.js";
import { useTrust } from "../trust/trust-context.js";
import { DEFAULT_VISIBLE, FLEET_COLUMNS, type RowContext } from "./columns.js";
import { FleetTable } from "./FleetTable.js";
import { FleetToolbar } from "./FleetToolbar.js";
import { DEFAULT_QUERY, type FleetQuery, queryFleet } from "./fleet-query.js";

/** The fleet page: every device, searchable, filterable and sortable, with bulk actions. */
export function FleetPage(props: { fleet: Fleet }): JSX.Element {
  const [query, setQuery] = createSignal<FleetQuery>(DEFAULT_QUERY);
  const [visibleColumns, setVisibleColumns] = createSignal<readonly string[]>(DEFAULT_VISIBLE);
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  const now = createNow(30_000);
  const replica = useReplica();
  const actions = makeDeviceActions(replica, useTrust());
  const pending = createPending(replica.pending);
  const localOnly = createMemo(
    () => new Set(pending().map((documentId) => `automerge:${documentId}`)),
  );
  const context = (): RowContext => ({ now: now(), isOnline: props.fleet.isOnline });
  const shown = createMemo(() => queryFleet(props.fleet.rows(), query(), context()));
  const columns = createMemo(() =>
    FLEET_COLUMNS.filter((column) => visibleColumns().includes(column.id)),
  );
  const counts = createMemo(() => {
    const byHealth = new Map<string, number>();
    for (const row of props.fleet.rows())
      byHealth.set(row.health, (byHealth.get(row.health) ?? 0) + 1);
    return byHealth;
  });

  const toggle = (deviceId: string) => {
    const next = new Set(selected());
    if (next.has(deviceId)) next.delete(deviceId);
    else next.add(deviceId);
    setSelected(next);
  };
  const toggleAll = (select: boolean) =>
    setSelected(select ? new Set(shown().map((row) => row.deviceId)) : new Set<string>());
  const sortBy = (column: string) =>
    setQuery((current) => ({
      ...current,
      sort: {
        column,
        descending: current.sort.column === column ? !current.sort.descending : false,
      },
    }));

  return (
    <section class="fleet" aria-labelledby="fleet-title">
      <div class="page-head">
        <h1 id="fleet-title">Fleet</h1>
        <p class="summary" aria-live="polite">
          <span data-testid="fleet-count">{shown().length}</span> of {props.fleet.rows().length}{" "}
          devices
          <For each={HEALTH_ORDER}>
            {(health) => (
              <Show when={counts().get(health)}>
                {(count) => (
                  <span class={`pill health-${health}`}>
                    {count()} {health}
                  </span>
                )}
              </Show>
            )}
          </For>
        </p>
      </div>
      <FleetToolbar
        query={query()}
        onQuery={setQuery}
        lifecycles={LIFECYCLES}
        visibleColumns={visibleColumns()}
        onVisibleColumns={setVisibleColumns}
        selected={selected()}
        shown={shown()}
        columns={columns()}
        context={context()}
        fleet={props.fleet}
        onEnqueue={actions.enqueue}
        enqueueBlocked={actions.blocked()}
      />
      <Switch>
        <Match when={props.fleet.status() === "loading" && props.fleet.rows().length === 0}>
          <p class="empty">Loading the fleet from this browser…</p>
        </Match>
        <Match when={props.fleet.status() === "unavailable"}>
          <p class="empty" role="alert">
            The fleet document is not in this browser yet and the relay cannot be reached. Connect
            once; after that the fleet opens offline.
          </p>
        </Match>
        <Match when={props.fleet.rows().length === 0}>
          <p class="empty">
            No devices yet. "Add a device" on the{" "}
            <a href={hrefOf({ page: "enrollment" })}>Enrollment</a> page gives a one-line install
            command.
          </p>
        </Match>
        <Match when={true}>
          <FleetTable
            localOnly={localOnly()}
            rows={shown()}
            columns={columns()}
            context={context()}
            sort={query().sort}
            onSort={sortBy}
            selected={selected()}
            onToggle={toggle}
            onToggleAll={toggleAll}
            onOpen={(deviceId) => {
              location.hash = hrefOf({ page: "device", deviceId });
            }}
            onVisible={(ids) => {
              for (const id of ids) props.fleet.wantLastSample(id);
            }}
          />
        </Match>
      </Switch>
    </section>
  );
}
