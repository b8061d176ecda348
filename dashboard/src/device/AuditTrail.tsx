import type { AutomergeUrl } from "@automerge/automerge-repo/slim";
import type { AuditEntry, DeviceDoc, TelemetryDayDoc } from "@outpost/shared-model";
import {
  type Accessor,
  createEffect,
  createSignal,
  For,
  type JSX,
  on,
  onCleanup,
  Show,
} from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { auditExport } from "../export/audit-export.js";
import { ExportButtons } from "../export/ExportButtons.js";
import { formatTime } from "../ui/format.js";

/** Days of audit trail loaded at first; "older" adds as many again. */
const DAYS_AT_A_TIME = 7;

/**
 * The device's audit trail: every fact and policy change the agent recorded, newest first, from
 * the day documents (loaded a week at a time).
 */
export function AuditTrail(props: {
  deviceId: string;
  telemetry: Accessor<DeviceDoc["telemetry"]>;
}): JSX.Element {
  const replica = useReplica();
  const [days, setDays] = createSignal(DAYS_AT_A_TIME);
  const [entries, setEntries] = createSignal<AuditEntry[]>([]);
  const [loading, setLoading] = createSignal(true);
  const allDays = () => Object.keys(props.telemetry()).sort().reverse();

  createEffect(
    on([days, () => allDays().join(",")], ([count]) => {
      let current = true;
      onCleanup(() => {
        current = false;
      });
      setLoading(true);
      const wanted = allDays().slice(0, count);
      void Promise.all(
        wanted.map(async (day) => {
          const url = props.telemetry()[day as keyof DeviceDoc["telemetry"]]?.url;
          if (url === undefined) return [];
          try {
            const handle = await replica.repo.find<TelemetryDayDoc>(url as AutomergeUrl);
            return [...(handle.doc().audit ?? [])];
          } catch {
            return [];
          }
        }),
      ).then((lists) => {
        if (!current) return;
        setEntries(lists.flat().sort((a, b) => b.at - a.at));
        setLoading(false);
      });
    }),
  );

  return (
    <section class="card wide" aria-labelledby="audit-title">
      <div class="section-head">
        <h2 id="audit-title">Audit trail</h2>
        <ExportButtons
          label="audit"
          fileName={`${props.deviceId}-audit`}
          source={() => auditExport(props.deviceId, entries())}
        />
      </div>
      <Show
        when={!loading() || entries().length > 0}
        fallback={
          <p class="loading" role="status">
            Loading the audit trail…
          </p>
        }
      >
        <Show
          when={entries().length > 0}
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
              <For each={entries()}>
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
      <Show when={allDays().length > days()}>
        <button type="button" class="secondary" onClick={() => setDays(days() + DAYS_AT_A_TIME)}>
          Older entries
        </button>
      </Show>
    </section>
  );
}
