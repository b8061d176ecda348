import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Actor,
  type AssetFields,
  type AuditEntry,
  actorOf,
  assetConflicts as assetConflictsIn,
  type Command,
  type CommandId,
  type CommandState,
  type DeviceDoc,
  FoldCache,
  liveCommand,
  type PriorityRegister,
  priorityConflicts as priorityConflictsIn,
  type TelemetryDayDoc,
  toPlain,
  updateAsset,
} from "@outpost/shared-model";
import { type CommandArchive, findArchiveOf } from "../primitives/find-archive.js";
import { findDayOf } from "../primitives/find-day.js";
import type { Replica } from "../sync/replica.js";
import {
  type ActionTrust,
  type EditOutcome,
  makeSignedWrites,
  problemsOf,
  type SignedWrites,
} from "./signed-writes.js";

export type {
  ActionTrust,
  DeviceRef,
  EditOutcome,
  EnqueueTarget,
  SignedWrites,
} from "./signed-writes.js";

/**
 * Everything the device page (and the fleet's bulk enqueue) writes to documents and reads from
 * them beyond the DeviceDoc's store. Writes are as the signed-in admin, one Automerge change
 * each, through the replica, so the header's sync state follows them. Every write that changes
 * what an agent runs is signed first (so it is asynchronous) and refused, with the reason, while
 * the admin has no certified key.
 */
export interface DeviceActions extends SignedWrites {
  /** Saves asset fields; nothing is written unless every field is valid. Not signed. */
  editAsset(device: DocHandle<DeviceDoc>, patch: Partial<AssetFields>): EditOutcome;
  /** The command's state, folded from the document (once per version of the command). */
  stateOf(device: DocHandle<DeviceDoc>, command: Command): CommandState;
  /** Every priority concurrent admins left on the command (one when there is no conflict). */
  priorityConflicts(device: DocHandle<DeviceDoc>, id: CommandId): PriorityRegister[];
  /** Every value concurrent admins left in an asset field (one when there is no conflict). */
  assetConflicts<K extends keyof AssetFields>(
    device: DocHandle<DeviceDoc>,
    field: K,
  ): AssetFields[K][];
  /**
   * The day document `url` that the telemetry index of `deviceId` lists for `day`, from this
   * browser or the relay; refused (a `ForeignDayDocument`, see find-day.ts) unless it is that device's day.
   */
  findDay(deviceId: string, day: string, url: string): Promise<DocHandle<TelemetryDayDoc>>;
  /**
   * The archive of finished commands `url` that the DeviceDoc of `deviceId` lists for `month`,
   * validated; refused (a `ForeignArchiveDocument`, see find-archive.ts) unless it is that
   * device's archive of that month.
   */
  findArchive(deviceId: string, month: string, url: string): Promise<CommandArchive>;
  /**
   * The audit entries of `days` (keys of the DeviceDoc's telemetry index of `deviceId`), newest
   * first. A day neither this browser nor the relay has, or that is not the device's own, is left
   * out.
   */
  auditOf(
    deviceId: string,
    telemetry: DeviceDoc["telemetry"],
    days: readonly string[],
  ): Promise<AuditEntry[]>;
}

/**
 * The device page's actions over `replica`, writing as its signed-in admin at `clock()`, signing
 * with the key `trust` names. Every document write of the page goes through here.
 */
export function makeDeviceActions(
  replica: Pick<Replica, "session" | "repo" | "change">,
  trust: ActionTrust,
  clock: () => number = Date.now,
): DeviceActions {
  const folds = new FoldCache();
  const actor = (): Actor => ({
    by: actorOf({ kind: "admin", name: replica.session.admin }),
    at: clock(),
  });
  const findDay = (deviceId: string, day: string, url: string) =>
    findDayOf(replica.repo, deviceId, day, url);

  return {
    ...makeSignedWrites(replica, trust, actor),
    editAsset(device, patch) {
      try {
        replica.change(device, (doc) => updateAsset(doc, patch, actor()));
        return { saved: true };
      } catch (failure) {
        return { saved: false, problems: problemsOf(failure) };
      }
    },
    stateOf: (device, command) =>
      folds.stateOf(liveCommand(device.doc().commands, command.spec.id) ?? command),
    priorityConflicts: (device, id) => priorityConflictsIn(device.doc(), id),
    assetConflicts: (device, field) => assetConflictsIn(device.doc(), field),
    findDay,
    findArchive: (deviceId, month, url) => findArchiveOf(replica.repo, deviceId, month, url),
    async auditOf(deviceId, telemetry, days) {
      const lists = await Promise.all(
        days.map(async (day) => {
          const url = telemetry[day as keyof DeviceDoc["telemetry"]]?.url;
          if (url === undefined) return [];
          try {
            // Its strings are ImmutableStrings (or text, written before): plain for the views.
            return toPlain<AuditEntry[]>((await findDay(deviceId, day, url)).doc().audit ?? []);
          } catch {
            return [];
          }
        }),
      );
      return lists.flat().sort((a, b) => b.at - a.at);
    },
  };
}
