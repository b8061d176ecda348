import type { DocHandle } from "@automerge/automerge-repo/slim";
import type {
  AssetFields,
  AuditEntry,
  DeviceDoc,
  PolicySettings,
  TelemetryDayDoc,
} from "@outpost/shared-model";
import type { QueueActions } from "../commands/CommandQueue.js";
import { createPathVersion } from "../primitives/create-path-version.js";
import type { CommandArchive } from "../primitives/find-archive.js";
import type { VerifyItem } from "../trust/create-verdict.js";
import type { DeviceActions, EditOutcome } from "./device-actions.js";

/** The device page's actions on its one device, as its sections take them. */
export interface OneDeviceActions extends QueueActions {
  editAsset(patch: Partial<AssetFields>): EditOutcome;
  editPolicy(patch: Partial<PolicySettings>): Promise<EditOutcome>;
  /** Every value concurrent admins left in an asset field; follows the document's changes. */
  assetConflicts<K extends keyof AssetFields>(field: K): AssetFields[K][];
  /** Who signed an item of this device's document (a policy setting, say). */
  verify: VerifyItem;
  /** This device's day document `url` for `day`; see {@link DeviceActions.findDay}. */
  findDay(day: string, url: string): Promise<DocHandle<TelemetryDayDoc>>;
  /** This device's archive of `month`; see {@link DeviceActions.findArchive}. */
  findArchive(month: string, url: string): Promise<CommandArchive>;
  /** This device's audit entries of `days`; see {@link DeviceActions.auditOf}. */
  auditOf(telemetry: DeviceDoc["telemetry"], days: readonly string[]): Promise<AuditEntry[]>;
}

/**
 * `actions` bound to the device `deviceId` whose DeviceDoc is `handle`. Conflict reads follow
 * the document: a concurrent value that loses to the shown one changes nothing in the store,
 * so a patch under `commands` or `asset` is what says there may be a conflict to show.
 * Listeners go with the owner.
 */
export function createOneDeviceActions(
  actions: DeviceActions,
  deviceId: string,
  handle: DocHandle<DeviceDoc>,
): OneDeviceActions {
  const commandsPatched = createPathVersion(handle as DocHandle<unknown>, () => ["commands"]);
  const assetPatched = createPathVersion(handle as DocHandle<unknown>, () => ["asset"]);
  const device = { deviceId, handle };
  return {
    stateOf: (command) => actions.stateOf(handle, command),
    priorityConflicts: (id) => {
      void commandsPatched();
      return actions.priorityConflicts(handle, id);
    },
    assetConflicts: (field) => {
      void assetPatched();
      return actions.assetConflicts(handle, field);
    },
    enqueue: (input) => actions.enqueue([device], input),
    cancel: (id) => actions.cancel(device, id),
    retry: (id) => actions.retry(device, id),
    reprioritize: (id, value) => actions.reprioritize(device, id, value),
    blocked: () => actions.blocked(),
    learnt: () => actions.learnt(),
    verify: (item) => actions.verify(device, item),
    editAsset: (patch) => actions.editAsset(handle, patch),
    editPolicy: (patch) => actions.editPolicy(device, patch),
    findDay: (day, url) => actions.findDay(deviceId, day, url),
    findArchive: (month, url) => actions.findArchive(deviceId, month, url),
    auditOf: (telemetry, days) => actions.auditOf(deviceId, telemetry, days),
  };
}
