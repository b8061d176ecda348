import { createSignal, type JSX, Match, Show, Switch } from "solid-js";
import { DevicePage } from "../device/DevicePage.js";
import { makeDevicesClient } from "../enrollment/devices-client.js";
import { EnrollmentPage } from "../enrollment/EnrollmentPage.js";
import { whyRelayUnavailable } from "../enrollment/relay-required.js";
import { FleetPage } from "../fleet/FleetPage.js";
import { KeysPage } from "../keys/KeysPage.js";
import { SigningBanner } from "../keys/SigningBanner.js";
import { createConnectionStatus } from "../primitives/create-connection-status.js";
import { createFleet } from "../primitives/create-fleet.js";
import { createPending, createSaving } from "../primitives/create-pending.js";
import { clearSession } from "../session/session.js";
import { deleteReplica } from "../sync/replica.js";
import { useTrust } from "../trust/trust-context.js";
import { SyncIndicator } from "../ui/SyncIndicator.js";
import { useReplica } from "./replica-context.js";
import { createRoute, hrefOf } from "./route.js";

/**
 * The signed-in app: header (sync state, sign-out), the signing key's state while it cannot
 * sign, and the page the URL names.
 */
export function Shell(props: { onSignedOut: () => void }): JSX.Element {
  const replica = useReplica();
  const trust = useTrust();
  const route = createRoute();
  const fleet = createFleet(replica);
  const status = createConnectionStatus(replica.connection);
  const pending = createPending(replica.pending);
  const saving = createSaving(replica);
  const [confirmingSignOut, setConfirmingSignOut] = createSignal(false);
  const devices = makeDevicesClient(replica.session);
  const relayUnavailable = () => whyRelayUnavailable(status());

  const signOut = async () => {
    await replica.close();
    await deleteReplica(replica.session);
    clearSession();
    props.onSignedOut();
  };

  return (
    <div class="shell">
      <header class="top-bar">
        <a class="brand" href={hrefOf({ page: "fleet" })}>
          Outpost
        </a>
        <nav aria-label="Main">
          <a
            href={hrefOf({ page: "fleet" })}
            aria-current={route().page === "fleet" ? "page" : undefined}
          >
            Fleet
          </a>
          <a
            href={hrefOf({ page: "keys" })}
            aria-current={route().page === "keys" ? "page" : undefined}
          >
            Keys
          </a>
          <a
            href={hrefOf({ page: "enrollment" })}
            aria-current={route().page === "enrollment" ? "page" : undefined}
          >
            Enrollment
          </a>
        </nav>
        <SyncIndicator status={status()} pendingCount={pending().length} saving={saving() > 0} />
        <span class="who">admin:{replica.session.admin}</span>
        <button
          type="button"
          class="secondary"
          onClick={() => (pending().length > 0 ? setConfirmingSignOut(true) : void signOut())}
        >
          Sign out
        </button>
      </header>
      <SigningBanner state={trust.signing()} />
      <Show when={confirmingSignOut()}>
        <div class="dialog-backdrop">
          <div role="alertdialog" aria-modal="true" aria-labelledby="sign-out-title" class="dialog">
            <h2 id="sign-out-title">Sign out and lose unsynced changes?</h2>
            <p>
              {pending().length} document(s) hold changes the relay has not stored yet. Signing out
              deletes this browser's copy, and those changes with it. Reconnect first to keep them.
            </p>
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setConfirmingSignOut(false)}>
                Stay signed in
              </button>
              <button type="button" class="danger" onClick={() => void signOut()}>
                Sign out and delete
              </button>
            </div>
          </div>
        </div>
      </Show>
      <main class="page">
        <Switch>
          <Match when={route().page === "fleet"}>
            <FleetPage fleet={fleet} />
          </Match>
          <Match when={route().page === "keys"}>
            <KeysPage />
          </Match>
          <Match when={route().page === "enrollment"}>
            <EnrollmentPage client={devices} relayUnavailable={relayUnavailable()} />
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.page === "device" ? r : undefined;
            })()}
            keyed
          >
            {(device) => (
              <DevicePage
                deviceId={device.deviceId}
                fleet={fleet}
                devices={devices}
                relayUnavailable={relayUnavailable()}
              />
            )}
          </Match>
        </Switch>
      </main>
    </div>
  );
}
