import type { DocHandle } from "@automerge/automerge-repo/slim";
import type { DeviceDoc } from "@outpost/shared-model";
import { createSignal, type JSX, Match, Show, Switch } from "solid-js";
import { useReplica } from "../app/replica-context.js";
import { hrefOf } from "../app/route.js";
import { ArchivedCommands } from "../commands/ArchivedCommands.js";
import { CommandQueue } from "../commands/CommandQueue.js";
import type { DevicesClient } from "../enrollment/devices-client.js";
import { createDeviceHandle } from "../primitives/create-device-handle.js";
import { createDocumentStore } from "../primitives/create-document-store.js";
import type { Fleet } from "../primitives/create-fleet.js";
import { createPending } from "../primitives/create-pending.js";
import { useTrust } from "../trust/trust-context.js";
import { formatTime } from "../ui/format.js";
import { AssetEditor } from "./AssetEditor.js";
import { AuditTrail } from "./AuditTrail.js";
import { createAuditEntries } from "./audit-entries.js";
import { DeviceAccess } from "./DeviceAccess.js";
import { DeviceExports } from "./DeviceExports.js";
import { makeDeviceAccessActions } from "./device-access-actions.js";
import { type DeviceActions, makeDeviceActions } from "./device-actions.js";
import { InventoryPanel } from "./InventoryPanel.js";
import { createOneDeviceActions } from "./one-device-actions.js";
import { PolicyEditor } from "./PolicyEditor.js";
import { TelemetrySection } from "./TelemetrySection.js";
import { createTelemetryRange, type RangeId } from "./telemetry-range.js";

/**
 * One device: inventory, asset record, charts, command queue, policy, audit trail, and its
 * access to the relay. The container of the device's views: every document they write or load
 * goes through its {@link makeDeviceActions}; revoking and removing go to the relay through
 * {@link makeDeviceAccessActions}.
 */
export function DevicePage(props: {
  deviceId: string;
  fleet: Fleet;
  /** The relay's device routes, for revoking and removing. */
  devices: DevicesClient;
  /** Why the relay cannot be asked now (revoke and remove wait for it); `undefined` if it can. */
  relayUnavailable: string | undefined;
}): JSX.Element {
  const replica = useReplica();
  const actions = makeDeviceActions(replica, useTrust());
  const access = makeDeviceAccessActions(props.devices);
  const device = createDeviceHandle(replica, props.fleet, props.deviceId);
  const row = () => props.fleet.row(props.deviceId);
  return (
    <section class="device" aria-labelledby="device-title">
      <p class="crumbs">
        <a href={hrefOf({ page: "fleet" })}>Fleet</a> /{" "}
        {props.fleet.row(props.deviceId)?.hostname ?? props.deviceId}
      </p>
      <Switch>
        <Match when={device.handle()} keyed>
          {(handle) => (
            <DeviceView
              handle={handle}
              deviceId={props.deviceId}
              fleet={props.fleet}
              actions={actions}
            />
          )}
        </Match>
        <Match when={device.error()}>
          <p class="empty" role="alert">
            This device's document is not in this browser and the relay cannot be reached now. It
            appears here as soon as the connection returns.
          </p>
        </Match>
        <Match
          when={props.fleet.status() !== "loading" && props.fleet.row(props.deviceId) === undefined}
        >
          <p class="empty" role="alert">
            No device {props.deviceId} in this fleet.
          </p>
        </Match>
        <Match when={true}>
          <p class="empty">Loading the device…</p>
        </Match>
      </Switch>
      <Show when={props.fleet.status() === "ready"}>
        <DeviceAccess
          deviceId={props.deviceId}
          hostname={row()?.hostname || props.deviceId}
          revokedAt={row()?.revokedAt}
          inFleet={row() !== undefined}
          actions={access}
          unavailable={props.relayUnavailable}
        />
      </Show>
    </section>
  );
}

/** The device once its document is here: its store, and the actions bound to it. */
function DeviceView(props: {
  handle: DocHandle<DeviceDoc>;
  deviceId: string;
  fleet: Fleet;
  actions: DeviceActions;
}): JSX.Element {
  const replica = useReplica();
  const doc = createDocumentStore(props.handle);
  const thisDevice = createOneDeviceActions(props.actions, props.deviceId, props.handle);
  const [rangeId, setRangeId] = createSignal<RangeId>("1h");
  const telemetry = createTelemetryRange(thisDevice.findDay, () => doc.telemetry, rangeId);
  const audit = createAuditEntries(() => doc.telemetry, thisDevice.auditOf);
  const pending = createPending(replica.pending);
  const stored = () => !pending().includes(props.handle.documentId);
  const row = () => props.fleet.row(props.deviceId);
  // Today's samples count towards the health shown here, as for the rows in view in the fleet.
  props.fleet.wantLastSample(props.deviceId);
  return (
    <>
      <div class="page-head">
        <h1 id="device-title">{doc.inventory?.hostname || row()?.hostname || props.deviceId}</h1>
        <p class="summary">
          <span class="muted">{props.deviceId}</span>
          <span
            class={`pill health-${row()?.health ?? "unknown"}`}
            title={row()?.healthReasons.join("; ")}
          >
            {row()?.health ?? "unknown"}
          </span>
          <span class={`pill ${props.fleet.isOnline(props.deviceId) ? "online" : "offline"}`}>
            {props.fleet.isOnline(props.deviceId) ? "online now" : "offline"}
          </span>
          <span class={`pill ${stored() ? "stored" : "local"}`} data-testid="doc-sync-state">
            {stored() ? "all changes on the relay" : "changes only in this browser"}
          </span>
          <Show when={row()?.revokedAt}>
            {(at) => (
              <span
                class="pill revoked"
                data-testid="device-revoked"
                title="An admin revoked it: the relay refuses its token"
              >
                Revoked {formatTime(at())}
              </span>
            )}
          </Show>
        </p>
        <Show when={row()?.healthReasons.length}>
          <p class="muted">{row()?.healthReasons.join("; ")}</p>
        </Show>
      </div>
      <div class="device-grid">
        <InventoryPanel inventory={doc.inventory} />
        <AssetEditor
          asset={doc.asset}
          conflicts={thisDevice.assetConflicts}
          onSave={thisDevice.editAsset}
        />
      </div>
      <TelemetrySection
        deviceId={props.deviceId}
        rangeId={rangeId()}
        onRangeId={setRangeId}
        state={telemetry()}
      />
      <CommandQueue doc={doc} actions={thisDevice} />
      <ArchivedCommands
        archives={() => doc.commandArchives ?? {}}
        findArchive={thisDevice.findArchive}
      />
      <div class="device-grid">
        <PolicyEditor registers={doc.policy} actions={thisDevice} />
        <DeviceExports
          deviceId={props.deviceId}
          handle={props.handle}
          archives={() => doc.commandArchives ?? {}}
          findArchive={thisDevice.findArchive}
        />
      </div>
      <AuditTrail
        deviceId={props.deviceId}
        entries={audit.entries()}
        loading={audit.loading()}
        hasOlder={audit.hasOlder()}
        onOlder={audit.showOlder}
      />
    </>
  );
}
