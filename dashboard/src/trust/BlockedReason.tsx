import { type JSX, Show } from "solid-js";

/**
 * Why a control that needs a signature is off (no certified key), said beside it. A view;
 * nothing when `reason` is `undefined`.
 */
export function BlockedReason(props: { reason: string | undefined; testId: string }): JSX.Element {
  return (
    <Show when={props.reason}>
      {(reason) => (
        <span class="blocked" data-testid={props.testId}>
          {reason()}
        </span>
      )}
    </Show>
  );
}
