import { type JSX, Show } from "solid-js";

/** "Asking the relay…" until a list came, and why the last ask failed. */
export function ListState(props: { problem: string | undefined; loaded: boolean }): JSX.Element {
  return (
    <Show
      when={props.problem}
      fallback={props.loaded ? null : <p class="muted">Asking the relay…</p>}
    >
      {(text) => (
        <p class="error" role="alert">
          Cannot ask the relay: {text()}
        </p>
      )}
    </Show>
  );
}
