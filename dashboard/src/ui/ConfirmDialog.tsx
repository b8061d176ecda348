import { createUniqueId, type JSX, onMount } from "solid-js";
import { createEscapeKey } from "./create-escape-key.js";

/**
 * A modal question before an action that cannot be undone from here (revoking a device, approving
 * a re-enrollment): what it does in its body, "Cancel" focused first so Enter does not confirm by
 * accident, Escape cancels.
 */
export function ConfirmDialog(props: {
  title: string;
  /** What the action does, in the admin's terms. */
  children: JSX.Element;
  confirmLabel: string;
  /** The action destroys or cuts something off: the confirm button says so by its colour. */
  danger?: boolean;
  /** The action is running: both buttons wait. */
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): JSX.Element {
  const titleId = createUniqueId();
  const bodyId = createUniqueId();
  let cancel: HTMLButtonElement | undefined;
  createEscapeKey(
    () => props.onCancel(),
    () => props.busy === true,
  );
  onMount(() => cancel?.focus());
  return (
    <div class="dialog-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        class="dialog"
      >
        <h2 id={titleId}>{props.title}</h2>
        <div id={bodyId}>{props.children}</div>
        <div class="actions">
          <button
            ref={cancel}
            type="button"
            class="secondary"
            disabled={props.busy}
            onClick={() => props.onCancel()}
          >
            Cancel
          </button>
          <button
            type="button"
            class={props.danger ? "danger" : undefined}
            disabled={props.busy}
            onClick={() => props.onConfirm()}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
