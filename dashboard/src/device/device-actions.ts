import type { AutomergeUrl, DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Actor,
  type AssetFields,
  type AuditEntry,
  actorOf,
  addNote,
  assetConflicts as assetConflictsIn,
  type Command,
  type CommandId,
  type CommandState,
  type DeviceDoc,
  type EnqueueInput,
  enqueueCommand,
  FoldCache,
  messageOf,
  newCommandId,
  type PolicySettings,
  type PriorityRegister,
  priorityConflicts as priorityConflictsIn,
  requestCancel,
  requestRetry,
  setPriority,
  type TelemetryDayDoc,
  updateAsset,
  updatePolicy,
  ValidationFailed,
} from "@outpost/shared-model";
import type { EnqueueReport, NotEnqueued } from "../commands/enqueue-report.js";
import type { Replica } from "../sync/replica.js";

/** A device an enqueue goes to, with its DeviceDoc's handle once this browser has loaded it. */
export interface EnqueueTarget {
  deviceId: string;
  handle: DocHandle<DeviceDoc> | undefined;
}

/** How an edit went: saved, or every problem that kept it from being written at all. */
export type EditOutcome = { saved: true } | { saved: false; problems: readonly string[] };

/**
 * Everything the device page (and the fleet's bulk enqueue) writes to documents and reads from
 * them beyond the DeviceDoc's store. Writes are as the signed-in admin, one Automerge change
 * each, through the replica, so the header's sync state follows them.
 */
export interface DeviceActions {
  /**
   * Enqueues one command, with one ID, on every target. Each device gets all of it or none of it;
   * the report names the devices left without it and why. A command the shared model refuses is
   * refused before any device is written.
   */
  enqueue(targets: readonly EnqueueTarget[], input: Omit<EnqueueInput, "id">): EnqueueReport;
  /** Asks the agent to cancel (or stop) the command. */
  cancel(device: DocHandle<DeviceDoc>, id: CommandId): void;
  /** Asks the agent to run the command again. */
  retry(device: DocHandle<DeviceDoc>, id: CommandId): void;
  /** Sets the command's priority (last writer wins; concurrent values stay visible). */
  reprioritize(device: DocHandle<DeviceDoc>, id: CommandId, value: number): void;
  /** Adds an admin's note to the command's log. */
  note(device: DocHandle<DeviceDoc>, id: CommandId, text: string): void;
  /** Saves asset fields; nothing is written unless every field is valid. */
  editAsset(device: DocHandle<DeviceDoc>, patch: Partial<AssetFields>): EditOutcome;
  /** Saves policy settings; nothing is written unless every setting is valid. */
  editPolicy(device: DocHandle<DeviceDoc>, patch: Partial<PolicySettings>): EditOutcome;
  /** The command's state, folded from the document (once per version of the command). */
  stateOf(device: DocHandle<DeviceDoc>, command: Command): CommandState;
  /** Every priority concurrent admins left on the command (one when there is no conflict). */
  priorityConflicts(device: DocHandle<DeviceDoc>, id: CommandId): PriorityRegister[];
  /** Every value concurrent admins left in an asset field (one when there is no conflict). */
  assetConflicts<K extends keyof AssetFields>(
    device: DocHandle<DeviceDoc>,
    field: K,
  ): AssetFields[K][];
  /** A day document of a device's telemetry, from this browser or the relay. */
  findDay(url: string): Promise<DocHandle<TelemetryDayDoc>>;
  /**
   * The audit entries of `days` (keys of the DeviceDoc's telemetry index), newest first. A day
   * neither this browser nor the relay has is left out.
   */
  auditOf(telemetry: DeviceDoc["telemetry"], days: readonly string[]): Promise<AuditEntry[]>;
}

/** Why a selected device's document could not take a command. */
const NOT_LOADED = "its document is not in this browser yet";

/**
 * The device page's actions over `replica`, writing as its signed-in admin at `clock()`. Every
 * document write of the page goes through `write` below: the one place to add what every write
 * must carry (such as an admin's signature over a command or policy).
 */
export function makeDeviceActions(
  replica: Pick<Replica, "session" | "repo" | "change">,
  clock: () => number = Date.now,
): DeviceActions {
  const folds = new FoldCache();
  const actor = (): Actor => ({
    by: actorOf({ kind: "admin", name: replica.session.admin }),
    at: clock(),
  });
  const write = (device: DocHandle<DeviceDoc>, change: (doc: DeviceDoc) => void) =>
    replica.change(device, change);
  const edit = (device: DocHandle<DeviceDoc>, change: (doc: DeviceDoc) => void): EditOutcome => {
    try {
      write(device, change);
      return { saved: true };
    } catch (failure) {
      const problems =
        failure instanceof ValidationFailed
          ? failure.problems.map((problem) => problem.message)
          : [messageOf(failure)];
      return { saved: false, problems };
    }
  };
  const findDay = (url: string) => replica.repo.find<TelemetryDayDoc>(url as AutomergeUrl);

  return {
    enqueue(targets, input) {
      if (targets.length === 0) return { kind: "refused", problem: "No device to enqueue on" };
      const by = actor();
      const id = newCommandId();
      const command: EnqueueInput = { ...input, id };
      try {
        // The same spec goes to every device: checked once on an empty queue, a bad one is
        // refused before any document is written rather than on each device in turn.
        enqueueCommand({ commands: {} }, command, by);
      } catch (failure) {
        return { kind: "refused", problem: messageOf(failure) };
      }
      const enqueued: string[] = [];
      const notEnqueued: NotEnqueued[] = [];
      for (const { deviceId, handle } of targets) {
        if (handle === undefined || !handle.isReady()) {
          notEnqueued.push({ deviceId, reason: NOT_LOADED });
          continue;
        }
        try {
          write(handle, (doc) => void enqueueCommand(doc, command, by));
          enqueued.push(deviceId);
        } catch (failure) {
          // A change that throws is not applied: this device has nothing of the command.
          notEnqueued.push({
            deviceId,
            reason: `writing its document failed: ${messageOf(failure)}`,
          });
        }
      }
      return { kind: "written", id, enqueued, notEnqueued };
    },
    cancel: (device, id) => write(device, (doc) => void requestCancel(doc, id, actor())),
    retry: (device, id) => write(device, (doc) => void requestRetry(doc, id, actor())),
    reprioritize: (device, id, value) =>
      write(device, (doc) => setPriority(doc, id, value, actor())),
    note: (device, id, text) => write(device, (doc) => void addNote(doc, id, text, actor())),
    editAsset: (device, patch) => edit(device, (doc) => updateAsset(doc, patch, actor())),
    editPolicy: (device, patch) => edit(device, (doc) => updatePolicy(doc, patch, actor())),
    stateOf: (device, command) =>
      folds.stateOf(device.doc().commands[command.spec.id as CommandId] ?? command),
    priorityConflicts: (device, id) => priorityConflictsIn(device.doc(), id),
    assetConflicts: (device, field) => assetConflictsIn(device.doc(), field),
    findDay,
    async auditOf(telemetry, days) {
      const lists = await Promise.all(
        days.map(async (day) => {
          const url = telemetry[day as keyof DeviceDoc["telemetry"]]?.url;
          if (url === undefined) return [];
          try {
            return [...((await findDay(url)).doc().audit ?? [])];
          } catch {
            return [];
          }
        }),
      );
      return lists.flat().sort((a, b) => b.at - a.at);
    },
  };
}
