import type { EnrollmentTokenSummary } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";
import { tokenStatus } from "./token-status.js";

/**
 * The one-time enrollment tokens (never the tokens themselves: the relay keeps their hashes),
 * with who made each, for which device, until when, and whether it was used or revoked; a token
 * that can still enroll can be revoked. A view: the page asks the relay.
 */
export function TokenList(props: {
  tokens: readonly EnrollmentTokenSummary[];
  now: number;
  /** Why the buttons wait (an action running, or no relay); `undefined` when they do not. */
  disabled: string | undefined;
  onRevoke: (token: EnrollmentTokenSummary) => void;
}): JSX.Element {
  return (
    <Show when={props.tokens.length > 0} fallback={<p class="muted">No enrollment tokens yet.</p>}>
      <table class="keys" aria-label="Enrollment tokens">
        <thead>
          <tr>
            <th scope="col">Token ID</th>
            <th scope="col">Device</th>
            <th scope="col">Made</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.tokens}>
            {(token) => {
              const status = () => tokenStatus(token, props.now);
              return (
                <tr
                  data-testid="enrollment-token"
                  data-token-id={token.tokenId}
                  data-state={status().state}
                >
                  <td>
                    <code>{token.tokenId}</code>
                  </td>
                  <td>
                    {token.deviceId === undefined ? (
                      <span class="muted">any new device</span>
                    ) : (
                      <code>{token.deviceId}</code>
                    )}
                  </td>
                  <td>
                    {formatTime(token.createdAt)}
                    <span class="hint">by {token.createdBy}</span>
                  </td>
                  <td>{formatTime(token.expiresAt)}</td>
                  <td>
                    <span class={`pill token-${status().state}`}>{status().text}</span>
                  </td>
                  <td class="actions">
                    <Show when={status().state === "usable"}>
                      <button
                        type="button"
                        class="secondary"
                        disabled={props.disabled !== undefined}
                        title={props.disabled}
                        aria-label={`Revoke enrollment token ${token.tokenId}`}
                        onClick={() => props.onRevoke(token)}
                      >
                        Revoke
                      </button>
                    </Show>
                  </td>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
