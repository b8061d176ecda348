import { type Asset, type AssetFields, LIFECYCLES } from "@outpost/shared-model";
import { createSignal, For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";
import type { EditOutcome } from "./device-actions.js";

/**
 * The asset record, editable online or offline alike. Each field saves on its own when it
 * changes; a field two admins set at once shows every value Automerge kept. A view: `onSave`
 * writes, and says what kept an edit from being written.
 */
export function AssetEditor(props: {
  asset: Asset;
  /** Every value concurrent admins left in `field`; more than one is a conflict. */
  conflicts: <K extends ConflictField>(field: K) => readonly AssetFields[K][];
  onSave: (patch: Partial<AssetFields>) => EditOutcome;
}): JSX.Element {
  const [error, setError] = createSignal<string>();
  const save = (patch: Partial<AssetFields>) => {
    setError(undefined);
    const outcome = props.onSave(patch);
    if (!outcome.saved) setError(outcome.problems.join("; "));
  };
  /** Every value concurrent admins left in `field`, when there is more than one. */
  const conflicts = (field: ConflictField) => {
    const values = props.conflicts(field);
    return values.length > 1 ? values : [];
  };
  const ConflictNote = (p: { field: ConflictField }) => (
    <Show when={conflicts(p.field).length > 0}>
      <div class="conflict" role="note" data-testid={`conflict-${p.field}`}>
        Set at the same time to{" "}
        <For each={conflicts(p.field)}>
          {(value, i) => (
            <>
              {i() > 0 ? " and " : ""}
              <strong>{display(value)}</strong>
            </>
          )}
        </For>
        ; every copy shows <strong>{display(props.asset[p.field])}</strong>. Keep:{" "}
        <For each={conflicts(p.field)}>
          {(value) => (
            <button
              type="button"
              class="secondary small"
              onClick={() => save({ [p.field]: value })}
            >
              {display(value)}
            </button>
          )}
        </For>
      </div>
    </Show>
  );
  return (
    <section class="card" aria-labelledby="asset-title">
      <h2 id="asset-title">Asset</h2>
      <form class="form-grid" onSubmit={(event) => event.preventDefault()}>
        <label for="asset-assignee">Assignee</label>
        <div>
          <input
            id="asset-assignee"
            value={props.asset.assignee}
            onChange={(event) => save({ assignee: event.currentTarget.value.trim() })}
          />
          <ConflictNote field="assignee" />
        </div>
        <label for="asset-lifecycle">Lifecycle</label>
        <div>
          <select
            id="asset-lifecycle"
            value={props.asset.lifecycle}
            onChange={(event) =>
              save({ lifecycle: event.currentTarget.value as Asset["lifecycle"] })
            }
          >
            <For each={LIFECYCLES}>
              {(lifecycle) => <option value={lifecycle}>{lifecycle}</option>}
            </For>
          </select>
          <ConflictNote field="lifecycle" />
        </div>
        <label for="asset-location">Location</label>
        <div>
          <input
            id="asset-location"
            value={props.asset.location}
            onChange={(event) => save({ location: event.currentTarget.value.trim() })}
          />
          <ConflictNote field="location" />
        </div>
        <label for="asset-tags">Tags</label>
        <div>
          <input
            id="asset-tags"
            value={props.asset.tags.join(", ")}
            aria-describedby="asset-tags-hint"
            onChange={(event) =>
              save({
                tags: event.currentTarget.value
                  .split(",")
                  .map((tag) => tag.trim())
                  .filter(Boolean),
              })
            }
          />
          <span id="asset-tags-hint" class="hint">
            Comma-separated
          </span>
        </div>
        <label for="asset-notes">Notes</label>
        <div>
          <textarea
            id="asset-notes"
            rows={3}
            value={props.asset.notes}
            onChange={(event) => save({ notes: event.currentTarget.value })}
          />
          <ConflictNote field="notes" />
        </div>
      </form>
      <Show when={props.asset.updatedBy}>
        <p class="muted">
          Last edited by {props.asset.updatedBy} at {formatTime(props.asset.updatedAt)}
        </p>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}

/** The asset fields whose conflicts are shown. */
type ConflictField = "assignee" | "location" | "lifecycle" | "notes" | "tags";

function display(value: string | string[]): string {
  return Array.isArray(value) ? value.join(", ") : value;
}
