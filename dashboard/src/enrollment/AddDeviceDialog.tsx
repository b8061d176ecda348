import { type EnrollmentTokenIssued, isDeviceId, messageOf } from "@outpost/shared-model";
import { createSignal, createUniqueId, For, type JSX, Show } from "solid-js";
import { createEscapeKey } from "../ui/create-escape-key.js";
import type { EnrollmentTokenRequest } from "./devices-client.js";
import { IssuedToken } from "./IssuedToken.js";
import { TOKEN_VALIDITY, type TokenValidityId } from "./token-status.js";

/**
 * "Add a device": makes a one-time enrollment token (for any new device, or for one device ID to
 * replace it, say a reinstalled laptop) valid for the chosen time, and shows its install commands.
 * Making one needs the relay: without it the button is disabled with the reason. Escape closes it
 * unless a token is being made.
 */
export function AddDeviceDialog(props: {
  onCreate: (request: EnrollmentTokenRequest) => Promise<EnrollmentTokenIssued>;
  /** Why the relay cannot be asked now; `undefined` while it can. */
  unavailable: string | undefined;
  onClose: () => void;
}): JSX.Element {
  const titleId = createUniqueId();
  const [deviceId, setDeviceId] = createSignal("");
  const [validity, setValidity] = createSignal<TokenValidityId>("24h");
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string>();
  const [issued, setIssued] = createSignal<EnrollmentTokenIssued>();
  createEscapeKey(() => props.onClose(), busy);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const id = deviceId().trim();
    if (id !== "" && !isDeviceId(id)) {
      setProblem(
        "Device ID: 1-64 of letters, digits, '.', '_' and '-', starting with a letter or digit",
      );
      return;
    }
    const ttlSeconds = TOKEN_VALIDITY.find((choice) => choice.id === validity())?.seconds;
    setBusy(true);
    setProblem(undefined);
    try {
      setIssued(await props.onCreate({ ...(id === "" ? {} : { deviceId: id }), ttlSeconds }));
    } catch (failure) {
      setProblem(`Making the token: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} class="dialog wide">
        <h2 id={titleId}>Add a device</h2>
        <Show
          when={issued()}
          fallback={
            <form class="form-grid" onSubmit={create}>
              <label for="add-device-id">Device ID (optional)</label>
              <div>
                <input
                  id="add-device-id"
                  autocomplete="off"
                  spellcheck={false}
                  value={deviceId()}
                  onInput={(event) => setDeviceId(event.currentTarget.value)}
                />
                <span class="hint">
                  Empty: a new device, which takes its own ID. An enrolled device's ID: the token
                  replaces that device (a reinstalled laptop).
                </span>
              </div>
              <label for="add-device-validity">Valid for</label>
              <select
                id="add-device-validity"
                value={validity()}
                onChange={(event) => setValidity(event.currentTarget.value as TokenValidityId)}
              >
                <For each={TOKEN_VALIDITY}>
                  {(choice) => <option value={choice.id}>{choice.label}</option>}
                </For>
              </select>
              <div class="actions full">
                <button
                  type="submit"
                  disabled={busy() || props.unavailable !== undefined}
                  title={props.unavailable}
                >
                  Create
                </button>
                <Show when={props.unavailable}>{(why) => <span class="hint">{why()}</span>}</Show>
              </div>
            </form>
          }
        >
          {(token) => <IssuedToken issued={token()} />}
        </Show>
        <Show when={problem()}>
          {(text) => (
            <p class="error" role="alert" data-testid="add-device-error">
              {text()}
            </p>
          )}
        </Show>
        <div class="actions">
          <Show when={issued()}>
            <button type="button" class="secondary" onClick={() => setIssued(undefined)}>
              Make another
            </button>
          </Show>
          <button type="button" class="secondary" onClick={() => props.onClose()}>
            {issued() ? "Done" : "Cancel"}
          </button>
        </div>
      </div>
    </div>
  );
}
