import { type JSX, Show } from "solid-js";
import { hrefOf } from "../app/route.js";
import type { SigningState } from "./signing-keys.js";
import { whyCannotSign } from "./why-cannot-sign.js";

/**
 * The line at the top of every page while the admin cannot sign (a key waiting for approval, a
 * revoked key, a relay without a root key): says so plainly, and where keys are managed. Not
 * while the keys are still being read from this browser (a moment at every start).
 */
export function SigningBanner(props: { state: SigningState }): JSX.Element {
  const reason = () => (props.state.kind === "starting" ? undefined : whyCannotSign(props.state));
  return (
    <Show when={reason()}>
      {(text) => (
        <p class="signing-banner" role="status" data-testid="signing-banner">
          {text()}. <a href={hrefOf({ page: "keys" })}>Keys</a>
        </p>
      )}
    </Show>
  );
}
