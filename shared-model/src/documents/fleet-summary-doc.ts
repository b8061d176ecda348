import type { DeviceId } from "../ids/ids.js";
import type { DeviceSummary } from "../summaries/device-summary.js";
import type { Stored } from "./stored-strings.js";

/** The schema version this code writes and reads for {@link FleetSummaryDoc}. */
export const FLEET_SUMMARY_DOC_SCHEMA = 1;

/**
 * One shard of the fleet's device summaries (ARCHITECTURE.md, "Fleet summaries"): the devices
 * whose ID hashes to `shard` of `shardCount` ({@link shardOf}), each with the
 * {@link DeviceSummary} of its DeviceDoc. Written by the relay alone, read by admins; devices
 * never reach it. The FleetDoc lists the shards (`summaryShards`).
 */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type FleetSummaryDoc = {
  schema: typeof FLEET_SUMMARY_DOC_SCHEMA;
  shard: number;
  shardCount: number;
  /** Each summary's strings as `ImmutableString` scalars ("Strings in documents"); read with `toPlain`. */
  devices: Record<DeviceId, Stored<DeviceSummary>>;
};

/** The initial content of one summary shard. */
export function createFleetSummaryDoc(shard: number, shardCount: number): FleetSummaryDoc {
  return { schema: FLEET_SUMMARY_DOC_SCHEMA, shard, shardCount, devices: {} };
}
