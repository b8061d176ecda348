import type { PendingEnrollmentSummary } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";
import { requestNotes, requestStateText } from "./request-notes.js";

/**
 * Re-enrollment requests (a known device ID enrolling with the shared secret), with what an
 * admin needs to decide: who asks, from where, when, the device it would replace and how that one
 * stands, and the facts that argue against approving. A view: the page decides.
 */
export function PendingRequests(props: {
  requests: readonly PendingEnrollmentSummary[];
  /** Why the buttons wait (an action running, or no relay); `undefined` when they do not. */
  disabled: string | undefined;
  onDecide: (request: PendingEnrollmentSummary, decision: "approve" | "deny") => void;
}): JSX.Element {
  return (
    <Show
      when={props.requests.length > 0}
      fallback={<p class="muted">No re-enrollment request waits for an admin.</p>}
    >
      <table class="keys" aria-label="Re-enrollment requests">
        <thead>
          <tr>
            <th scope="col">Device ID</th>
            <th scope="col">Asks as</th>
            <th scope="col">Requested</th>
            <th scope="col">From</th>
            <th scope="col">Enrolled device now</th>
            <th scope="col">To weigh</th>
            <th scope="col">State</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.requests}>
            {(request) => (
              <tr
                data-testid="pending-request"
                data-request-id={request.requestId}
                data-status={request.status}
              >
                <td>
                  <code>{request.deviceId}</code>
                </td>
                <td>{request.hostname}</td>
                <td>{formatTime(request.requestedAt)}</td>
                <td>
                  <code>{request.remoteAddress}</code>
                </td>
                <td>
                  <Show when={request.current} fallback="none (purged)">
                    {(current) => (
                      <>
                        {current().hostname} <span class="pill">{current().status}</span>
                        <span class="hint">
                          {current().connectedNow === true
                            ? "connected now"
                            : current().connectedAtRequest
                              ? "connected when asked"
                              : "not connected"}
                        </span>
                      </>
                    )}
                  </Show>
                </td>
                <td>
                  <ul class="plain">
                    <For each={requestNotes(request)}>
                      {(note) => <li class={note.warning ? "conflict" : "muted"}>{note.text}</li>}
                    </For>
                  </ul>
                </td>
                <td>{requestStateText(request)}</td>
                <td class="actions">
                  <Show when={request.status === "pending"}>
                    <button
                      type="button"
                      disabled={props.disabled !== undefined}
                      title={props.disabled}
                      aria-label={`Approve the re-enrollment of ${request.deviceId} from ${request.remoteAddress}`}
                      onClick={() => props.onDecide(request, "approve")}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      disabled={props.disabled !== undefined}
                      title={props.disabled}
                      aria-label={`Deny the re-enrollment of ${request.deviceId} from ${request.remoteAddress}`}
                      onClick={() => props.onDecide(request, "deny")}
                    >
                      Deny
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
