import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo/slim";
import {
  type DeviceSummary,
  type FleetSummaryDoc,
  type FleetSummaryIndex,
  type InvalidField,
  shardOf,
  validateFleetSummaryDoc,
  validateSummaryEntry,
} from "@outpost/shared-model";
import { makeLogger } from "../ui/logger.js";

const logger = makeLogger("fleet");

/** The fleet's summary shards as this replica has them. */
export interface SummaryShards {
  /** Follows the shards the FleetDoc lists (again, after it changed): new ones are found. */
  follow(index: FleetSummaryIndex): void;
  /**
   * Takes the shards the FleetDoc lists without finding them: their entries come from
   * {@link SummaryShards.seed} (the fleet index) until they are followed.
   */
  know(index: FleetSummaryIndex): void;
  /**
   * A shard's valid entries as the fleet index read them from storage (`undefined`: the replica
   * does not hold it). Ignored once the shard is followed: its handle is live.
   */
  seed(url: string, summaries: Readonly<Record<string, DeviceSummary>> | undefined): void;
  /** The device's summary from its shard; undefined while none is here or it is malformed. */
  summaryOf(deviceId: string): DeviceSummary | undefined;
  /** True once every listed shard was found or given up on (found later if it comes). */
  settled(): boolean;
  /** Stops following every shard. */
  close(): void;
}

/**
 * Follows the summary shards (ARCHITECTURE.md, "Fleet summaries") and calls `onChange` with the
 * devices whose summary changed, appeared or went. Each shard is read as untrusted input: an
 * entry that is malformed is left out and logged with the shard and the path
 * (`devices.lt-0001.pendingCommands: expected number, received "3"`), so its row falls back to the
 * device's own DeviceDoc. Automerge shares the objects of unchanged entries between snapshots,
 * so a change to a shard validates only the entries it touched. Until a shard is followed, its
 * entries are those the fleet index read from storage (`seed`, validated there the same way;
 * ARCHITECTURE.md, "The fleet index"). Not reactive: the owner calls `close`.
 */
export function makeSummaryShards(
  repo: Pick<Repo, "find">,
  onChange: (deviceIds: readonly string[]) => void,
): SummaryShards {
  /** Per shard URL: the raw entries last read (by identity) and what they validated to. */
  const shards = new Map<string, ShardState>();
  let index: FleetSummaryIndex | undefined;
  let closed = false;
  const cleanups: (() => void)[] = [];

  const read = (url: string, handle: DocHandle<FleetSummaryDoc>) => {
    const state = shards.get(url);
    if (state === undefined || closed) return;
    const raw = handle.doc() as unknown as Record<string, unknown>;
    const problems: InvalidField[] = [];
    const identity = validateFleetSummaryDoc({ ...raw, devices: {} });
    const rawDevices =
      identity.value !== null && isRecord(raw.devices)
        ? raw.devices
        : ({} as Record<string, unknown>);
    problems.push(...identity.problems);
    const changed: string[] = [];
    for (const [deviceId, entry] of Object.entries(rawDevices)) {
      if (state.raw.get(deviceId) === entry) continue;
      state.raw.set(deviceId, entry);
      const summary = validateSummaryEntry(deviceId, entry, `devices.${deviceId}`, problems);
      if (summary === undefined) state.valid.delete(deviceId);
      else state.valid.set(deviceId, summary);
      changed.push(deviceId);
    }
    for (const deviceId of [...state.raw.keys()]) {
      if (deviceId in rawDevices) continue;
      state.raw.delete(deviceId);
      state.valid.delete(deviceId);
      changed.push(deviceId);
    }
    for (const problem of problems) {
      logger.warn(`summary shard ${handle.documentId}: ${problem.message}; not shown`);
    }
    if (changed.length > 0) onChange(changed);
  };

  const find = async (url: string) => {
    try {
      const handle = await repo.find<FleetSummaryDoc>(url as AutomergeUrl);
      if (closed) return;
      const update = () => read(url, handle);
      handle.on("change", update);
      cleanups.push(() => handle.off("change", update));
      update();
    } catch {
      // Not here and the relay is away: rows keep what their DeviceDocs or the FleetDoc say.
    } finally {
      const state = shards.get(url);
      if (state) state.settled = true;
      if (!closed) onChange([]);
    }
  };

  const stateOf = (url: string) => {
    let state = shards.get(url);
    if (state === undefined) {
      state = { raw: new Map(), valid: new Map(), settled: false, followed: false };
      shards.set(url, state);
    }
    return state;
  };

  return {
    follow(next) {
      index = next;
      for (const url of next.shards) {
        const state = stateOf(url);
        if (state.followed) continue;
        state.followed = true;
        void find(url);
      }
    },
    know(next) {
      index = next;
      for (const url of next.shards) stateOf(url);
    },
    seed(url, summaries) {
      const state = shards.get(url);
      if (state === undefined || state.followed || closed) return;
      const changed = new Set(state.valid.keys());
      state.raw.clear();
      state.valid.clear();
      for (const [deviceId, summary] of Object.entries(summaries ?? {})) {
        // The seeded object stands for the raw entry: a followed handle's entries replace it.
        state.raw.set(deviceId, summary);
        state.valid.set(deviceId, summary);
        changed.add(deviceId);
      }
      state.settled = true;
      onChange([...changed]);
    },
    summaryOf(deviceId) {
      if (index === undefined) return undefined;
      // During a split a device may be in two shards for a moment; its home shard wins.
      const home = shards.get(index.shards[shardOf(deviceId, index.shardCount)] ?? "");
      const found = home?.valid.get(deviceId);
      if (found !== undefined) return found;
      for (const state of shards.values()) {
        const other = state.valid.get(deviceId);
        if (other !== undefined) return other;
      }
      return undefined;
    },
    settled: () => index !== undefined && [...shards.values()].every((state) => state.settled),
    close() {
      closed = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}

interface ShardState {
  raw: Map<string, unknown>;
  valid: Map<string, DeviceSummary>;
  settled: boolean;
  /** Its handle is found and read (otherwise its entries, if any, are the fleet index's). */
  followed: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
