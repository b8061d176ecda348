import type { AuditEntry } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { auditExport } from "../export/audit-export.js";
import { ExportButtons } from "../export/ExportButtons.js";
import { formatTime } from "../ui/format.js";

/**
 * The device's audit trail: every fact and policy change the agent recorded, newest first, from
 * the day documents. A view: the page loads the days (a week at a time) and `onOlder` asks for
 * the week before.
 */
export function AuditTrail(props: {
  deviceId: string;
  entries: readonly AuditEntry[];
  loading: boolean;
  hasOlder: boolean;
  onOlder: () => void;
}): JSX.Element {
  return (
    <section class="card wide" aria-labelledby="audit-title">
      <div class="section-head">
        <h2 id="audit-title">Audit trail</h2>
        <ExportButtons
          label="audit"
          fileName={`${props.deviceId}-audit`}
          source={() => auditExport(props.deviceId, props.entries)}
        />
      </div>
      <Show
        when={!props.loading || props.entries.length > 0}
        fallback={
          <p class="loading" role="status">
            Loading the audit trail…
          </p>
        }
      >
        <Show
          when={props.entries.length > 0}
          fallback={<p class="muted">Nothing recorded in these days.</p>}
        >
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who asked</th>
                <th scope="col">What</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.entries}>
                {(entry) => (
                  <tr>
                    <td>{formatTime(entry.at)}</td>
                    <td>{entry.actor}</td>
                    <td>{entry.action}</td>
                    <td>{entry.detail}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </Show>
      <Show when={props.hasOlder}>
        <button type="button" class="secondary" onClick={() => props.onOlder()}>
          Older entries
        </button>
      </Show>
    </section>
  );
}
