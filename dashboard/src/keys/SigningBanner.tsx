import { type JSX, Show } from "solid-js";
import { hrefOf } from "../app/route.js";

/**
 * The line at the top of every page while the admin cannot sign (a key waiting for approval, a
 * revoked key, a relay without a root key): says so plainly, and where keys are managed.
 */
export function SigningBanner(props: { reason: string | undefined }): JSX.Element {
  return (
    <Show when={props.reason}>
      {(reason) => (
        <p class="signing-banner" role="status" data-testid="signing-banner">
          {reason()}. <a href={hrefOf({ page: "keys" })}>Keys</a>
        </p>
      )}
    </Show>
  );
}
