import type { DocumentId } from "@automerge/automerge-repo";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";
import type { DeviceListing, PendingEnrollmentSummary } from "@outpost/shared-model";
import type { OwnershipStore } from "./ownership-store.js";
import type { PendingEnrollmentRecord } from "./pending-enrollments.js";
import type { DeviceRecord, PrincipalStore, RemovedDeviceRecord } from "./principal-store.js";

/** Thrown for a device ID the relay does not know, or one already removed; says which. */
export class DeviceLifecycleError extends Error {
  override name = "DeviceLifecycleError";

  constructor(
    readonly deviceId: string,
    readonly problem: "unknown" | "removed",
  ) {
    super(
      problem === "unknown"
        ? `no device ${deviceId}; "outpost-relay device list" shows the devices`
        : `device ${deviceId} was removed; only a purge is left to do (outpost-relay device purge ${deviceId}, relay stopped)`,
    );
  }
}

/**
 * Revoking and removing devices, and deciding on re-enrollments (docs/OPERATIONS.md, "Devices"),
 * for the relay's admin HTTP routes and its CLI alike: both only append to `principals.jsonl`, and a running relay follows the file,
 * closes the device's connections (4001) and marks the FleetDoc (FleetDeviceMarks).
 *
 * - *Revoke*: the device's token is refused from then on; it stays in the fleet, marked revoked.
 *   It comes back only by enrolling again with an admin's consent (a token made for it, or an
 *   approved re-enrollment).
 * - *Remove*: revoke, and drop it from the fleet. Its documents stay on disk, still its own, and its
 *   ID counts as known (re-enrolling it needs an admin) until `device purge` deletes them.
 */
export class DeviceLifecycle {
  readonly #principals: PrincipalStore;
  readonly #ownership: OwnershipStore;
  readonly #connected: (() => ReadonlySet<string>) | undefined;

  constructor(
    principals: PrincipalStore,
    ownership: OwnershipStore,
    /** Devices holding a sync connection now; only a running relay knows. */
    connected?: () => ReadonlySet<string>,
  ) {
    this.#principals = principals;
    this.#ownership = ownership;
    this.#connected = connected;
  }

  /** Revokes a device (again is a no-op) and returns it as it stands. */
  async revoke(deviceId: string, by: string): Promise<DeviceListing> {
    const device = this.#enrolled(deviceId);
    if (device.revokedAt === undefined) {
      await this.#principals.recordDeviceChange({
        op: "device-revoked",
        at: Date.now(),
        deviceId: device.deviceId,
        by,
      });
    }
    return this.summary(deviceId) as DeviceListing;
  }

  /** Removes a device (again is a no-op) and returns it as it stands. */
  async remove(deviceId: string, by: string): Promise<DeviceListing> {
    if (this.#principals.removedDevice(deviceId) === undefined) {
      const device = this.#enrolled(deviceId);
      await this.#principals.recordDeviceChange({
        op: "device-removed",
        at: Date.now(),
        deviceId: device.deviceId,
        by,
      });
    }
    return this.summary(deviceId) as DeviceListing;
  }

  /** Every device the relay knows: enrolled ones by ID, then removed ones not yet purged. */
  list(): DeviceListing[] {
    const connected = this.#connected?.();
    return this.#principals.listDevices().map((device) => this.#summarize(device, connected));
  }

  /** One device as {@link list} shows it, or `undefined` for an ID the relay does not know. */
  summary(deviceId: string): DeviceListing | undefined {
    return this.#summaryOf(deviceId, this.#connected?.());
  }

  /** Re-enrollment requests, newest first: those still open, or every one with `all`. */
  pendingRequests(options: { all?: boolean } = {}): PendingEnrollmentSummary[] {
    const connected = this.#connected?.();
    return this.#principals.pendingEnrollments
      .list(options)
      .map((record) => this.#summarizeRequest(record, connected));
  }

  /**
   * Approves or denies a re-enrollment request and returns it as it stands.
   *
   * @throws PendingEnrollmentError for an unknown request or one already decided.
   */
  async decide(
    requestId: string,
    kind: "approved" | "denied",
    by: string,
  ): Promise<PendingEnrollmentSummary> {
    const pending = this.#principals.pendingEnrollments;
    await pending.decide(requestId, kind, by);
    const record = pending.get(requestId) as PendingEnrollmentRecord;
    return this.#summarizeRequest(record, this.#connected?.());
  }

  #enrolled(deviceId: string): DeviceRecord {
    const device = this.#principals.device(deviceId);
    if (device !== undefined) return device;
    const problem = this.#principals.removedDevice(deviceId) ? "removed" : "unknown";
    throw new DeviceLifecycleError(deviceId, problem);
  }

  #summaryOf(deviceId: string, connected: ReadonlySet<string> | undefined) {
    const device = this.#principals.device(deviceId) ?? this.#principals.removedDevice(deviceId);
    return device === undefined ? undefined : this.#summarize(device, connected);
  }

  #summarize(
    device: DeviceRecord | RemovedDeviceRecord,
    connected: ReadonlySet<string> | undefined,
  ): DeviceListing {
    const removedAt = "removedAt" in device ? device.removedAt : undefined;
    const status =
      removedAt !== undefined ? "removed" : device.revokedAt !== undefined ? "revoked" : "active";
    return {
      deviceId: device.deviceId,
      hostname: device.hostname,
      deviceDocUrl: stringifyAutomergeUrl({ documentId: device.deviceDocumentId as DocumentId }),
      status,
      enrolledAt: device.enrolledAt,
      ...(device.revokedAt === undefined ? {} : { revokedAt: device.revokedAt }),
      ...(removedAt === undefined ? {} : { removedAt }),
      ...(connected === undefined ? {} : { connected: connected.has(device.deviceId) }),
      ownedDocuments: this.#ownership.countOwnedBy(device.deviceId),
    };
  }

  #summarizeRequest(
    record: PendingEnrollmentRecord,
    connected: ReadonlySet<string> | undefined,
  ): PendingEnrollmentSummary {
    const { decision, collectedAt: _collectedAt, connectedAtRequest, ...request } = record;
    const current = this.#summaryOf(record.deviceId, connected);
    return {
      ...request,
      status: this.#principals.pendingEnrollments.statusOf(record),
      ...(decision === undefined ? {} : { decidedAt: decision.at, decidedBy: decision.by }),
      ...(current === undefined
        ? {}
        : {
            current: {
              hostname: current.hostname,
              deviceDocUrl: current.deviceDocUrl,
              status: current.status,
              enrolledAt: current.enrolledAt,
              connectedAtRequest,
              ...(connected === undefined ? {} : { connectedNow: connected.has(record.deviceId) }),
            },
          }),
    };
  }
}
