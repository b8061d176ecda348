import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Asset,
  assetConflicts,
  type DeviceDoc,
  LIFECYCLES,
  updateAsset,
  ValidationFailed,
} from "@outpost/shared-model";
import { createSignal, For, type JSX, Show } from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { formatTime } from "../ui/format.js";

/**
 * The asset record, editable online or offline alike. Each field saves on its own when it
 * changes; a field two admins set at once shows every value Automerge kept.
 */
export function AssetEditor(props: { handle: DocHandle<DeviceDoc>; asset: Asset }): JSX.Element {
  const replica = useReplica();
  const [error, setError] = createSignal<string>();
  const actor = () => ({ by: `admin:${replica.session.admin}`, at: Date.now() });
  const save = (patch: Partial<Asset>) => {
    setError(undefined);
    try {
      replica.change(props.handle, (doc) => updateAsset(doc, patch, actor()));
    } catch (failure) {
      setError(
        failure instanceof ValidationFailed
          ? failure.problems.map((problem) => problem.message).join("; ")
          : (failure as Error).message,
      );
    }
  };
  const conflicts = (field: "assignee" | "location" | "lifecycle" | "notes" | "tags") => {
    // Read the store so the list follows changes; the values come from Automerge's conflicts.
    void props.asset[field];
    const values = assetConflicts(props.handle.doc(), field);
    return values.length > 1
      ? values.map((value) => (Array.isArray(value) ? value.join(", ") : String(value)))
      : [];
  };
  const ConflictNote = (p: { field: "assignee" | "location" | "lifecycle" | "notes" | "tags" }) => (
    <Show when={conflicts(p.field).length > 0}>
      <p class="conflict" role="note" data-testid={`conflict-${p.field}`}>
        Set at the same time to:{" "}
        <For each={conflicts(p.field)}>
          {(value, i) => (
            <>
              {i() > 0 ? " / " : ""}
              <strong>{value}</strong>
            </>
          )}
        </For>
        . Shown: <strong>{String(props.asset[p.field])}</strong>. Saving a value resolves it.
      </p>
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
