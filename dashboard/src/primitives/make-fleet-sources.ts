import type { DeviceSummary, FleetDoc } from "@outpost/shared-model";
import { fleetContentOf } from "../fleet-index/fleet-content.js";
import type { FleetContent, FleetIndexMessage } from "../fleet-index/fleet-index-messages.js";
import { openFleetIndex } from "../fleet-index/open-fleet-index.js";
import { type Replica, replicaNames } from "../sync/replica.js";
import { makeLogger } from "../ui/logger.js";

const logger = makeLogger("fleet");

/**
 * Once the FleetDoc and shards the Repo follows have been quiet this long, the fleet index reads
 * them again into its cache, so the next opening of the app draws the fleet from it.
 */
const INDEX_REFRESH_MS = 2_000;
/** User Timing mark: the fleet index cache holds what this replica holds (bench/dashboard). */
export const FLEET_INDEX_CACHED_MARK = "outpost:fleet-index-cached";
/** User Timing mark: the page's Repo holds the FleetDoc and follows it live (bench/dashboard). */
export const FLEET_FOLLOWED_MARK = "outpost:fleet-followed";

/** What the fleet does with what its sources give. */
export interface FleetSourceTarget {
  /** The FleetDoc's devices and summary index (from the index, then from the live handle). */
  readFleet(fleet: FleetContent): void;
  /** A shard's valid entries as the index read them (`undefined`: not in this browser). */
  seedShard(url: string, summaries: Readonly<Record<string, DeviceSummary>> | undefined): void;
  /** The Repo follows the FleetDoc from now on: the shards are to be followed too. */
  followShards(): void;
  /** The FleetDoc was found (`ready`), or neither the index nor the Repo can give it. */
  status(status: "ready" | "unavailable"): void;
}

/** Where the fleet's FleetDoc and summary shards come from. */
export interface FleetSources {
  /** The relay is connected: the Repo follows them, once the index has drawn the fleet. */
  wantRepo(): void;
  /** A document the Repo follows changed: the index reads it again once it is saved. */
  changed(): void;
  close(): void;
}

/**
 * The FleetDoc and its shards for the fleet (ARCHITECTURE.md, "The fleet index"): first from the
 * fleet index worker (plain data, no Automerge work on the main thread), then through the
 * replica's Repo (live, synced with the relay, but loading them is Automerge work on the main
 * thread: about 1.3 s in one task for the FleetDoc of 10,000 devices). So the Repo follows them
 * only once the relay is connected (offline, storage holds nothing the index did not read), or
 * when the index cannot give the fleet. Not reactive: the owner calls `close`.
 */
export function makeFleetSources(
  replica: Pick<Replica, "repo" | "session" | "connection">,
  target: FleetSourceTarget,
  openIndex: typeof openFleetIndex = openFleetIndex,
): FleetSources {
  let closed = false;
  const cleanups: (() => void)[] = [];
  let following = false;
  let refresh: ReturnType<typeof setTimeout> | undefined;

  const followRepo = () => {
    if (following || closed) return;
    following = true;
    target.followShards();
    void (async () => {
      try {
        const fleet = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
        if (closed) return;
        const onChange = () => {
          target.readFleet(fleetContentOf(fleet.doc()));
          changed();
        };
        fleet.on("change", onChange);
        cleanups.push(() => fleet.off("change", onChange));
        target.readFleet(fleetContentOf(fleet.doc()));
        target.status("ready");
        performance.mark(FLEET_FOLLOWED_MARK);
        changed();
      } catch {
        if (!closed) target.status("unavailable");
      }
    })();
  };

  const changed = () => {
    if (index === undefined || closed) return;
    clearTimeout(refresh);
    refresh = setTimeout(() => {
      void replica.repo
        .flush()
        .catch(() => {})
        .then(() => {
          if (!closed) index.read();
        });
    }, INDEX_REFRESH_MS);
  };

  /** The relay connected while the index was still reading: the Repo follows once it is done. */
  let repoWanted = false;
  let indexDone = false;
  /** Whether the index's current read found every document it looked for. */
  let readWhole = true;
  const onIndexMessage = (message: FleetIndexMessage) => {
    if (closed) return;
    switch (message.type) {
      case "fleet":
        // Once followed, the handle is live: the index's reads only refresh its cache.
        if (following) return;
        target.readFleet(message.content);
        target.status("ready");
        return;
      case "shard":
        for (const problem of message.content.problems) {
          logger.warn(`summary shard ${message.url}: ${problem}; not shown`);
        }
        target.seedShard(message.url, message.content.summaries);
        return;
      case "missing":
        readWhole = false;
        // Not in this browser yet (a first visit): the Repo asks the relay.
        if (message.what === "fleet") followRepo();
        else target.seedShard(message.what, undefined);
        return;
      case "done":
        // The cache now holds what storage holds (the bench waits for this after its visit).
        if (readWhole) performance.mark(FLEET_INDEX_CACHED_MARK, { detail: message });
        readWhole = true;
        indexDone = true;
        if (repoWanted) followRepo();
        return;
      case "failed":
        logger.warn(`the fleet index could not read this browser's copy: ${message.message}`);
        readWhole = true;
        indexDone = true;
        followRepo();
        return;
    }
  };

  const names = replicaNames(replica.session);
  const index = openIndex(
    {
      database: names.database,
      fleetDocumentId: replica.session.fleetDocUrl.slice("automerge:".length),
    },
    onIndexMessage,
  );
  const wantRepo = () => {
    repoWanted = true;
    if (indexDone) followRepo();
  };
  if (index === undefined) followRepo();
  else {
    index.read();
    if (replica.connection.state.kind === "connected") wantRepo();
  }

  return {
    wantRepo,
    changed,
    close() {
      closed = true;
      clearTimeout(refresh);
      index?.close();
      for (const cleanup of cleanups) cleanup();
    },
  };
}
