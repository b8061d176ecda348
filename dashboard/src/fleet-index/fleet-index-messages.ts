import type { DeviceSummary, FleetDevice, FleetSummaryIndex } from "@outpost/shared-model";

/** What the fleet view reads of the FleetDoc: plain data, as it can cross to and from a worker. */
export interface FleetContent {
  devices: Record<string, FleetDevice>;
  summaries?: FleetSummaryIndex;
}

/** What the fleet view reads of a summary shard: its valid entries, and what was wrong. */
export interface ShardContent {
  /** Valid entries by device (a malformed entry is left out, its row falls back to its DeviceDoc). */
  summaries: Record<string, DeviceSummary>;
  /** Why entries (or the whole shard) were left out, path first, for the log. */
  problems: string[];
}

/** The page asks the fleet index to read (again) what the replica holds. */
export interface FleetIndexRequest {
  type: "read";
  /** The replica's IndexedDB database (`replicaNames(session).database`). */
  database: string;
  /** The FleetDoc's document ID (without `automerge:`). */
  fleetDocumentId: string;
}

/** What the fleet index tells the page, in this order: the FleetDoc, then each shard, then done. */
export type FleetIndexMessage =
  | { type: "fleet"; content: FleetContent }
  | { type: "shard"; url: string; content: ShardContent }
  /** The replica does not hold this document (`fleet`, or a shard's URL). */
  | { type: "missing"; what: "fleet" | string }
  /** Everything the FleetDoc lists was read or found missing. */
  | { type: "done"; cachedDocuments: number; readDocuments: number }
  | { type: "failed"; message: string };
