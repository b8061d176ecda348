import type { PendingEnrollmentSummary } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { ConfirmDialog } from "../ui/ConfirmDialog.js";
import { requestNotes } from "./request-notes.js";

/** What approving or denying a re-enrollment request does, asked before it is done. */
export function DecisionDialog(props: {
  request: PendingEnrollmentSummary;
  decision: "approve" | "deny";
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): JSX.Element {
  const request = props.request;
  const replaced = request.current
    ? `the device enrolled under it now (${request.current.hostname}, ${request.current.status}) loses its token and its connections close`
    : "no device is enrolled under it now";
  const warnings = requestNotes(request).filter((note) => note.warning);
  return (
    <ConfirmDialog
      title={`${props.decision === "approve" ? "Approve" : "Deny"} the re-enrollment of ${request.deviceId}?`}
      confirmLabel={props.decision === "approve" ? "Approve" : "Deny"}
      danger={props.decision === "approve"}
      busy={props.busy}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    >
      <Show
        when={props.decision === "approve"}
        fallback={
          <p>
            The machine at {request.remoteAddress} is refused for good (its agent stops asking until
            it restarts). The enrolled {request.deviceId} keeps its token and its place.
          </p>
        }
      >
        <p>
          The machine at {request.remoteAddress} ({request.hostname}) gets a device token the next
          time it asks, once, and takes the ID {request.deviceId}: {replaced}.
        </p>
        <Show when={warnings.length > 0}>
          <ul>
            <For each={warnings}>{(note) => <li class="conflict">{note.text}</li>}</For>
          </ul>
        </Show>
      </Show>
    </ConfirmDialog>
  );
}
