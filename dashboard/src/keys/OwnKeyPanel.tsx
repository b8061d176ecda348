import { For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";
import type { OwnKey } from "./signing-keys.js";

/**
 * This browser's signing key for the signed-in admin, and rotating it: a new key is made and
 * registered, the current one signs until the root certifies the new one, and then the old one
 * is offered for revocation (with the recovery key). A view.
 */
export function OwnKeyPanel(props: {
  /** This browser's keys, oldest first. */
  keys: readonly OwnKey[];
  busy: boolean;
  onRotate: () => void;
  onRevokeOld: (key: OwnKey) => void;
}): JSX.Element {
  const newest = () => props.keys.at(-1);
  const signing = () => props.keys.filter((key) => key.status === "certified").at(-1);
  /** Certified keys older than a certified newest one: what a finished rotation leaves behind. */
  const replaced = () =>
    newest()?.status === "certified"
      ? props.keys.filter((key) => key !== newest() && key.status === "certified")
      : [];
  return (
    <section class="card wide" aria-labelledby="own-key-title">
      <h2 id="own-key-title">This browser's key</h2>
      <Show when={newest()} fallback={<p class="muted">No key in this browser yet.</p>}>
        {(key) => (
          <p>
            <code data-testid="own-key-id">{key().keyId}</code>{" "}
            <span class={`pill key-${key().status}`} data-testid="own-key-status">
              {key().status}
            </span>{" "}
            <span class="muted">
              {key().label}, made {formatTime(key().createdAt)}
            </span>
          </p>
        )}
      </Show>
      <Show when={newest()?.status === "pending" && signing()}>
        {(current) => (
          <p class="muted" role="note">
            Rotating: the new key waits for approval; {current().keyId} signs until then.
          </p>
        )}
      </Show>
      <For each={replaced()}>
        {(old) => (
          <p role="note" data-testid="rotation-done">
            Your new key is certified. The old key {old.keyId} is still trusted by the agents:{" "}
            <button
              type="button"
              class="danger"
              disabled={props.busy}
              data-testid="revoke-old-key"
              onClick={() => props.onRevokeOld(old)}
            >
              Revoke old key {old.keyId.slice(0, 6)}…
            </button>{" "}
            <span class="hint">(needs the recovery key below)</span>
          </p>
        )}
      </For>
      <button
        type="button"
        class="secondary"
        data-testid="rotate-key"
        disabled={props.busy || newest()?.status === "pending"}
        title={
          newest()?.status === "pending" ? "Your newest key is waiting for approval" : undefined
        }
        onClick={() => props.onRotate()}
      >
        Make a new key for this browser
      </button>
    </section>
  );
}
