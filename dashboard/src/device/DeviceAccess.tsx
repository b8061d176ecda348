import { messageOf } from "@outpost/shared-model";
import { createSignal, type JSX, Match, Show, Switch } from "solid-js";
import { hrefOf } from "../app/route.js";
import { ConfirmDialog } from "../ui/ConfirmDialog.js";
import { formatTime } from "../ui/format.js";
import { type DeviceAccessActions, purgeCommand } from "./device-access-actions.js";

/**
 * The device's access to the relay, and cutting it off: revoke (it stays in the fleet, marked
 * revoked) and remove (it leaves the fleet; its documents stay on the relay's disk until an
 * operator purges them), each behind a confirmation that says what it does. Both need the relay
 * now: without it they are disabled with the reason.
 */
export function DeviceAccess(props: {
  deviceId: string;
  hostname: string;
  /** From the FleetDoc: when an admin revoked it. */
  revokedAt: number | undefined;
  /** Still in the FleetDoc (a removed device is not). */
  inFleet: boolean;
  actions: DeviceAccessActions;
  /** Why the relay cannot be asked now; `undefined` while it can. */
  unavailable: string | undefined;
}): JSX.Element {
  const [confirming, setConfirming] = createSignal<"revoke" | "remove">();
  const [busy, setBusy] = createSignal(false);
  const [done, setDone] = createSignal<string>();
  const [problem, setProblem] = createSignal<string>();
  const run = async (action: "revoke" | "remove") => {
    setBusy(true);
    setProblem(undefined);
    try {
      setDone(await props.actions[action](props.deviceId));
    } catch (failure) {
      const verb = action === "revoke" ? "Revoking" : "Removing";
      setProblem(`${verb} ${props.deviceId}: ${messageOf(failure)}`);
    } finally {
      setBusy(false);
      setConfirming(undefined);
    }
  };
  const disabled = () => busy() || props.unavailable !== undefined;
  return (
    <Show when={props.inFleet || done() !== undefined}>
      <section class="card wide device-access" aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        <p data-testid="access-state">
          <Switch>
            <Match when={!props.inFleet}>Removed from the fleet.</Match>
            <Match when={props.revokedAt}>
              {(at) => (
                <>
                  <span class="pill revoked">Revoked {formatTime(at())}</span> The relay refuses its
                  token; it stays in the fleet until it is removed.
                </>
              )}
            </Match>
            <Match when={true}>
              This device may connect to the relay with its token. Revoke it if it is lost, stolen
              or no longer trusted.
            </Match>
          </Switch>
        </p>
        <Show when={props.inFleet}>
          <div class="actions">
            <Show when={props.revokedAt === undefined}>
              <button
                type="button"
                class="danger"
                disabled={disabled()}
                title={props.unavailable}
                onClick={() => setConfirming("revoke")}
              >
                Revoke device
              </button>
            </Show>
            <button
              type="button"
              class="danger"
              disabled={disabled()}
              title={props.unavailable}
              onClick={() => setConfirming("remove")}
            >
              Remove device
            </button>
          </div>
          <Show when={props.unavailable}>
            {(why) => (
              <p class="hint" data-testid="access-unavailable">
                {why()}
              </p>
            )}
          </Show>
        </Show>
        <Show when={done()}>
          {(text) => (
            <p class="done" role="status" data-testid="access-done">
              {text()}
              <Show when={!props.inFleet}>
                {" "}
                <a href={hrefOf({ page: "fleet" })}>Back to the fleet</a>
              </Show>
            </p>
          )}
        </Show>
        <Show when={problem()}>
          {(text) => (
            <p class="error" role="alert" data-testid="access-error">
              {text()}
            </p>
          )}
        </Show>
      </section>
      <Show when={confirming() === "revoke"}>
        <ConfirmDialog
          title={`Revoke ${props.hostname}?`}
          confirmLabel="Revoke device"
          danger
          busy={busy()}
          onConfirm={() => void run("revoke")}
          onCancel={() => setConfirming(undefined)}
        >
          <p>
            The relay closes its connections now and refuses its token from then on. It stays in the
            fleet, marked revoked, with its documents; its agent keeps collecting on the device.
          </p>
          <p>
            It comes back only with an admin's consent: an enrollment token made for it, or an
            approved re-enrollment.
          </p>
        </ConfirmDialog>
      </Show>
      <Show when={confirming() === "remove"}>
        <ConfirmDialog
          title={`Remove ${props.hostname} from the fleet?`}
          confirmLabel="Remove device"
          danger
          busy={busy()}
          onConfirm={() => void run("remove")}
          onCancel={() => setConfirming(undefined)}
        >
          <p>
            It is revoked (its connections close, its token is refused) and dropped from the fleet
            view.
          </p>
          <p>
            Its documents stay on the relay's disk, still its own, until an operator purges them on
            the relay's machine, with the relay stopped:
          </p>
          <pre>
            <code>{purgeCommand(props.deviceId)}</code>
          </pre>
          <p>Until then its ID stays known: enrolling it again needs an admin.</p>
        </ConfirmDialog>
      </Show>
    </Show>
  );
}
