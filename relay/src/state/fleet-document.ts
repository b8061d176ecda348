import type {
  AutomergeUrl,
  DocHandle,
  DocHandleChangePayload,
  DocumentId,
  Repo,
} from "@automerge/automerge-repo";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";
import type { DeviceId, FleetDevice, FleetDoc, FleetSummaryIndex } from "@outpost/shared-model";
import { createFleetDoc, toStored } from "@outpost/shared-model";
import type { PrincipalStore } from "./principal-store.js";

/**
 * The relay's FleetDoc (ARCHITECTURE.md, "Documents"): the fleet's device index, written only by
 * the relay at enrollment and read by admins. One per data folder; its ID is part of the relay's
 * identity in `principals.jsonl`.
 */
export class FleetDocument {
  readonly #repo: Repo;
  readonly #handle: DocHandle<FleetDoc>;

  private constructor(repo: Repo, handle: DocHandle<FleetDoc>) {
    this.#repo = repo;
    this.#handle = handle;
  }

  /**
   * Finds the fleet document, or creates it on the first start of a data folder: flushed, then
   * recorded with `relayId` as the relay's identity, so the identity never names a document
   * that is not on disk.
   *
   * @throws Error when the identity names a fleet document the data folder does not hold.
   */
  static async open(
    repo: Repo,
    principals: PrincipalStore,
    relayId: string,
  ): Promise<FleetDocument> {
    const identity = principals.identity;
    if (identity !== undefined) {
      try {
        const url = stringifyAutomergeUrl({ documentId: identity.fleetDocumentId as DocumentId });
        return new FleetDocument(repo, await repo.find<FleetDoc>(url));
      } catch (cause) {
        throw new Error(
          `the fleet document ${identity.fleetDocumentId} is missing from the data folder`,
          { cause },
        );
      }
    }
    const created = repo.create<FleetDoc>(createFleetDoc());
    await repo.flush([created.documentId]);
    await principals.initialize(relayId, created.documentId);
    return new FleetDocument(repo, created);
  }

  get documentId(): DocumentId {
    return this.#handle.documentId;
  }

  /** The URL admins open the fleet with (`/v1/session`). */
  get url(): AutomergeUrl {
    return this.#handle.url;
  }

  /** The fleet as it is now (a snapshot: the relay is its only writer). */
  doc(): FleetDoc {
    return this.#handle.doc();
  }

  /**
   * Calls `listener` after every change to the fleet (enrollment, revocation, removal) with the
   * devices whose entries it touched, or `undefined` when it may have touched any (reading every
   * entry on each of 10,000 enrollments would make enrolling a fleet quadratic).
   */
  onChange(listener: (deviceIds: readonly string[] | undefined) => void): () => void {
    const changed = ({ patches }: DocHandleChangePayload<FleetDoc>) => {
      const deviceIds = new Set<string>();
      for (const { path } of patches) {
        if (path[0] !== "devices") continue;
        if (path.length < 2) return listener(undefined);
        deviceIds.add(String(path[1]));
      }
      listener([...deviceIds]);
    };
    this.#handle.on("change", changed);
    return () => this.#handle.off("change", changed);
  }

  /** Records where the device summaries are (see SummaryShards) and flushes. */
  async recordSummaries(index: FleetSummaryIndex): Promise<void> {
    this.#handle.change((fleet) => {
      fleet.summaries = toStored({ shardCount: index.shardCount, shards: index.shards });
    });
    await this.#repo.flush([this.#handle.documentId]);
  }

  /**
   * Records an enrolled device (replacing its previous entry) and flushes the document, so an
   * enrollment is answered only once the fleet lists the device on disk.
   */
  async recordDevice(deviceId: DeviceId, device: FleetDevice): Promise<void> {
    this.#handle.change((fleet) => {
      // Strings as scalars, one operation each (ARCHITECTURE.md, "Strings in documents").
      fleet.devices[deviceId] = toStored(device);
    });
    await this.#repo.flush([this.#handle.documentId]);
  }

  /** Marks a revoked device (admins still see it) and flushes, unless the mark is there already. */
  async markRevoked(deviceId: DeviceId, revokedAt: number): Promise<void> {
    const listed = this.#handle.doc().devices[deviceId];
    if (listed === undefined || listed.revokedAt === revokedAt) return;
    this.#handle.change((fleet) => {
      const device = fleet.devices[deviceId];
      if (device !== undefined) device.revokedAt = revokedAt;
    });
    await this.#repo.flush([this.#handle.documentId]);
  }

  /** Drops a removed device from the fleet and flushes, unless it is gone already. */
  async forgetDevice(deviceId: DeviceId): Promise<void> {
    if (this.#handle.doc().devices[deviceId] === undefined) return;
    this.#handle.change((fleet) => {
      delete fleet.devices[deviceId];
    });
    await this.#repo.flush([this.#handle.documentId]);
  }
}
