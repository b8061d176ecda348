import type { DeviceId } from "../ids/ids.js";
import type { FleetSummaryDoc } from "./fleet-summary-doc.js";
import { plainString, type Stored, toPlain } from "./stored-strings.js";

/** The schema version this code writes and reads for {@link FleetDoc}. */
export const FLEET_DOC_SCHEMA = 1;

/** One enrolled device as the relay records it at enrollment. */
export interface FleetDevice {
  /** `automerge:` URL of the device's {@link DeviceDoc}. */
  deviceDocUrl: string;
  hostname: string;
  /** Epoch milliseconds of the (latest) enrollment. */
  enrolledAt: number;
  /**
   * Epoch milliseconds when an admin revoked the device: its token is refused and its connections
   * were closed. Absent while the device may connect; a new enrollment clears it.
   */
  revokedAt?: number;
}

/**
 * One per relay: the fleet's device index. Written by the relay, read by admins. A removed device
 * is no longer listed (its documents stay on the relay's disk until an operator purges them).
 */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type FleetDoc = {
  schema: typeof FLEET_DOC_SCHEMA;
  /** Each entry's strings as `ImmutableString` scalars ("Strings in documents"); read with `toPlain`. */
  devices: Record<DeviceId, Stored<FleetDevice>>;
  /**
   * The summary shards ({@link FleetSummaryDoc}), once the relay has made them: absent on a
   * relay from before them, and the dashboard then loads every DeviceDoc as it did.
   */
  summaries?: Stored<FleetSummaryIndex>;
};

/** Where the fleet's device summaries are: `shards[k]` holds the devices of shard `k`. */
export interface FleetSummaryIndex {
  /** Devices are in shard `shardOf(deviceId, shardCount)`; a power of two. */
  shardCount: number;
  /** `automerge:` URLs, one per shard, in shard order (more than `shardCount` during a split). */
  shards: string[];
}

/**
 * The `automerge:` URL of `deviceId`'s DeviceDoc as `fleet` lists it, as a string whichever form
 * the entry was written in; undefined for a device the fleet does not list.
 */
export function deviceDocUrlOf(fleet: FleetDoc, deviceId: DeviceId): string | undefined {
  const url = fleet.devices[deviceId]?.deviceDocUrl;
  return url === undefined ? undefined : plainString(url);
}

/** Where `fleet`'s summary shards are, as plain strings whichever form it was written in. */
export function summaryIndexOf(fleet: FleetDoc): FleetSummaryIndex | undefined {
  return fleet.summaries === undefined ? undefined : toPlain<FleetSummaryIndex>(fleet.summaries);
}
