import { createVirtualizer } from "@tanstack/solid-virtual";
import { createEffect, createSignal, For, type JSX, Show } from "solid-js";
import { hrefOf } from "../app/route.js";
import { formatTime } from "../ui/format.js";
import type { FleetColumn, RowContext } from "./columns.js";
import type { FleetRow } from "./fleet-row.js";

/** Height of one row, px (CSS keeps rows at exactly this, so the virtualizer can trust it). */
export const ROW_HEIGHT = 40;

/**
 * The fleet as a table that renders only the rows in view, so 10,000 devices scroll as smoothly
 * as ten. Keyboard: arrows, Page Up/Down, Home/End move between rows, Enter opens one, Space
 * selects it. Headers sort; `aria-rowcount` and `aria-rowindex` tell assistive technology where
 * a row sits in the whole list.
 */
export function FleetTable(props: {
  rows: readonly FleetRow[];
  columns: readonly FleetColumn[];
  context: RowContext;
  sort: { column: string; descending: boolean };
  onSort: (column: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (deviceId: string) => void;
  onToggleAll: (select: boolean) => void;
  onOpen: (deviceId: string) => void;
  /** DeviceDoc URLs holding this admin's changes that the relay has not stored yet. */
  localOnly: ReadonlySet<string>;
  /** Rows now in view, so their exact last sample can be loaded. */
  onVisible: (deviceIds: string[]) => void;
}): JSX.Element {
  let scroller: HTMLDivElement | undefined;
  const [active, setActive] = createSignal(0);
  const virtualizer = createVirtualizer({
    get count() {
      return props.rows.length;
    },
    getScrollElement: () => scroller ?? null,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  createEffect(() => {
    const ids = virtualizer
      .getVirtualItems()
      .map((item) => props.rows[item.index]?.deviceId)
      .filter((id): id is string => id !== undefined);
    props.onVisible(ids);
  });

  const focusRow = (index: number) => {
    const bounded = Math.max(0, Math.min(props.rows.length - 1, index));
    setActive(bounded);
    virtualizer.scrollToIndex(bounded, { align: "auto" });
    requestAnimationFrame(() => {
      scroller?.querySelector<HTMLElement>(`tr[data-index="${bounded}"]`)?.focus();
    });
  };

  const onKeyDown = (event: KeyboardEvent, index: number, row: FleetRow) => {
    const page = Math.max(1, Math.floor((scroller?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: props.rows.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      focusRow(target);
    } else if (event.key === "Enter") {
      event.preventDefault();
      props.onOpen(row.deviceId);
    } else if (event.key === " ") {
      event.preventDefault();
      props.onToggle(row.deviceId);
    }
  };

  const allSelected = () =>
    props.rows.length > 0 && props.rows.every((row) => props.selected.has(row.deviceId));

  return (
    <div class="table-scroller" ref={scroller} tabIndex={-1}>
      <table class="fleet-table" aria-rowcount={props.rows.length + 1} aria-label="Devices">
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col" class="select">
              <input
                type="checkbox"
                aria-label="Select every device shown"
                checked={allSelected()}
                onChange={(event) => props.onToggleAll(event.currentTarget.checked)}
              />
            </th>
            <For each={props.columns}>
              {(column) => (
                <th
                  scope="col"
                  class={column.essential ? "essential" : "optional"}
                  aria-sort={
                    props.sort.column === column.id
                      ? props.sort.descending
                        ? "descending"
                        : "ascending"
                      : "none"
                  }
                >
                  <button type="button" class="sort" onClick={() => props.onSort(column.id)}>
                    {column.label}
                    <span aria-hidden="true">
                      {props.sort.column === column.id ? (props.sort.descending ? " ▼" : " ▲") : ""}
                    </span>
                  </button>
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <Show when={virtualizer.getVirtualItems()[0]}>
            {(first) => <tr class="spacer" style={{ height: `${first().start}px` }} />}
          </Show>
          <For each={virtualizer.getVirtualItems()}>
            {(item) => {
              const row = () => props.rows[item.index];
              return (
                <Show when={row()}>
                  {(current) => (
                    <tr
                      data-index={item.index}
                      data-device={current().deviceId}
                      aria-rowindex={item.index + 2}
                      aria-selected={props.selected.has(current().deviceId)}
                      tabIndex={active() === item.index ? 0 : -1}
                      class={`health-${current().health}`}
                      onFocus={() => setActive(item.index)}
                      onKeyDown={(event) => onKeyDown(event, item.index, current())}
                    >
                      <td class="select">
                        <input
                          type="checkbox"
                          tabIndex={-1}
                          aria-label={`Select ${current().hostname}`}
                          checked={props.selected.has(current().deviceId)}
                          onChange={() => props.onToggle(current().deviceId)}
                        />
                      </td>
                      <For each={props.columns}>
                        {(column) => (
                          <td
                            class={`${column.essential ? "essential" : "optional"} col-${column.id}`}
                            data-value={column.text(current(), props.context)}
                          >
                            <Show
                              when={column.id === "hostname"}
                              fallback={column.text(current(), props.context)}
                            >
                              <a
                                href={hrefOf({ page: "device", deviceId: current().deviceId })}
                                tabIndex={-1}
                              >
                                {column.text(current(), props.context)}
                              </a>
                              <Show when={current().revokedAt}>
                                {(at) => (
                                  <span
                                    class="badge revoked"
                                    data-testid="revoked-badge"
                                    title="An admin revoked it: the relay refuses its token"
                                  >
                                    Revoked {formatTime(at())}
                                  </span>
                                )}
                              </Show>
                              <Show when={!current().loaded}>
                                <span
                                  class="badge muted"
                                  title="Its document has not reached this browser yet"
                                >
                                  not synced yet
                                </span>
                              </Show>
                              <Show when={props.localOnly.has(current().deviceDocUrl)}>
                                <span
                                  class="badge local"
                                  title="Holds your changes that the relay has not stored yet"
                                >
                                  only here
                                </span>
                              </Show>
                            </Show>
                          </td>
                        )}
                      </For>
                    </tr>
                  )}
                </Show>
              );
            }}
          </For>
          <Show when={virtualizer.getVirtualItems().at(-1)}>
            {(last) => (
              <tr
                class="spacer"
                style={{ height: `${virtualizer.getTotalSize() - last().end}px` }}
              />
            )}
          </Show>
        </tbody>
      </table>
    </div>
  );
}
