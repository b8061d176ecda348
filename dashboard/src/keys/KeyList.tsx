import type { AdminKeyListing } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";

/**
 * Every admin key the relay knows, with its admin, browser, status and times, and what the
 * holder of the recovery key can do with each: approve a pending key, revoke any key not yet
 * revoked. A view: the page opens the recovery key and signs.
 */
export function KeyList(props: {
  keys: readonly AdminKeyListing[];
  /** Key IDs of this browser's keys (of the signed-in admin). */
  ownKeyIds: ReadonlySet<string>;
  /** An action is running: the buttons wait. */
  busy: boolean;
  onApprove: (key: AdminKeyListing) => void;
  onRevoke: (key: AdminKeyListing) => void;
}): JSX.Element {
  return (
    <Show when={props.keys.length > 0} fallback={<p class="muted">No admin keys yet.</p>}>
      <table class="keys" aria-label="Admin keys">
        <thead>
          <tr>
            <th scope="col">Admin</th>
            <th scope="col">Browser</th>
            <th scope="col">Status</th>
            <th scope="col">Key ID</th>
            <th scope="col">Registered</th>
            <th scope="col">Certified</th>
            <th scope="col">Revoked</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.keys}>
            {(key) => (
              <tr data-testid="admin-key" data-key-id={key.keyId} data-status={key.status}>
                <td>{key.admin}</td>
                <td>
                  {key.label}
                  <Show when={props.ownKeyIds.has(key.keyId)}>
                    {" "}
                    <span class="badge">this browser</span>
                  </Show>
                </td>
                <td>
                  <span class={`pill key-${key.status}`}>{key.status}</span>
                </td>
                <td>
                  <code>{key.keyId}</code>
                </td>
                <td>{formatTime(key.registeredAt)}</td>
                <td>{formatTime(key.certificate?.issuedAt)}</td>
                <td title={key.revocation?.reason}>{formatTime(key.revocation?.revokedAt)}</td>
                <td class="actions">
                  <Show when={key.status === "pending"}>
                    <button
                      type="button"
                      disabled={props.busy}
                      aria-label={`Approve ${key.admin}'s key ${key.keyId}`}
                      onClick={() => props.onApprove(key)}
                    >
                      Approve
                    </button>
                  </Show>
                  <Show when={key.status !== "revoked"}>
                    <button
                      type="button"
                      class="danger"
                      disabled={props.busy}
                      aria-label={`Revoke ${key.admin}'s key ${key.keyId}`}
                      onClick={() => props.onRevoke(key)}
                    >
                      Revoke
                    </button>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
