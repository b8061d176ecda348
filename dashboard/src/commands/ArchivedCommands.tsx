import { type DeviceDoc, fold, messageOf } from "@outpost/shared-model";
import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import type { CommandArchive } from "../primitives/find-archive.js";
import { formatTime } from "../ui/format.js";

/**
 * The device's archived commands: finished commands the agent moved out of the live document
 * after its retention, one archive document per month. Each month opens on request (it is a
 * document to load, from this browser or the relay) and lists its commands as archived.
 */
export function ArchivedCommands(props: {
  archives: () => NonNullable<DeviceDoc["commandArchives"]>;
  findArchive: (month: string, url: string) => Promise<CommandArchive>;
}): JSX.Element {
  const months = () =>
    Object.entries(props.archives()).sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
  return (
    <Show when={months().length > 0}>
      <section class="card wide" aria-labelledby="archived-title">
        <h2 id="archived-title">Archived commands</h2>
        <p class="muted">
          Finished commands older than the agent's retention, by the month they ended in.
        </p>
        <ul class="archived-months">
          <For each={months()}>
            {([month, entry]) => (
              <ArchivedMonth
                month={month}
                count={entry.commands}
                load={() => props.findArchive(month, entry.url)}
              />
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

function ArchivedMonth(props: {
  month: string;
  count: number;
  load: () => Promise<CommandArchive>;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [archive] = createResource(open, () => props.load());
  const rows = () =>
    Object.values(archive()?.commands ?? {}).sort(
      (a, b) => b.command.spec.createdAt - a.command.spec.createdAt,
    );
  return (
    <li data-testid={`archive-${props.month}`}>
      <button type="button" class="secondary" onClick={() => setOpen(!open())}>
        {open() ? "Hide" : "Show"} {props.month} ({props.count} command
        {props.count === 1 ? "" : "s"})
      </button>
      <Show when={open()}>
        <Show
          when={!archive.error}
          fallback={
            <p class="error" role="alert">
              {messageOf(archive.error)}
            </p>
          }
        >
          <Show
            when={archive()}
            fallback={<p class="muted">Loading the archive of {props.month}…</p>}
          >
            <table class="archived">
              <thead>
                <tr>
                  <th>Created</th>
                  <th>Kind</th>
                  <th>Command</th>
                  <th>Status</th>
                  <th>Ended</th>
                  <th>By</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(record) => {
                    const state = fold(record.command.spec, record.command.events);
                    return (
                      <tr>
                        <td>{formatTime(record.command.spec.createdAt)}</td>
                        <td>{record.command.spec.kind}</td>
                        <td>{record.command.spec.id}</td>
                        <td class={`status status-${state.status}`}>{state.status}</td>
                        <td>{formatTime("at" in state ? state.at : undefined)}</td>
                        <td>{record.command.spec.createdBy}</td>
                      </tr>
                    );
                  }}
                </For>
              </tbody>
            </table>
            <Show when={(archive()?.problems.length ?? 0) > 0}>
              <p class="error">Left out: {archive()?.problems.join("; ")}</p>
            </Show>
          </Show>
        </Show>
      </Show>
    </li>
  );
}
