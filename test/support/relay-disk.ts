import { join } from "node:path";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { countSamples, type TelemetryDayDoc } from "@outpost/shared-model";
import { readReplica } from "@outpost/shared-model/storage";

/**
 * Samples in each day document as a stopped relay's disk holds them (`null` where a document is
 * missing), read through a fresh read-only store as a restarted relay would.
 */
export function samplesOnRelayDisk(
  relayDataDirectory: string,
  urls: readonly string[],
): Promise<(number | null)[]> {
  return readReplica(join(relayDataDirectory, "documents"), async (repo) => {
    const counts: (number | null)[] = [];
    for (const url of urls) {
      const doc = await repo
        .find<TelemetryDayDoc>(url as AutomergeUrl)
        .then((handle) => handle.doc())
        .catch(() => undefined);
      counts.push(doc ? countSamples(doc) : null);
    }
    return counts;
  });
}
