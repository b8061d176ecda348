import { messageOf } from "@outpost/shared-model";
import { fleetContentOf, shardContentOf } from "./fleet-content.js";
import type { FleetIndexMessage, FleetIndexRequest } from "./fleet-index-messages.js";
import {
  INDEX_CACHE_FORMAT,
  indexCacheName,
  openIndexCache,
  readCached,
  writeCached,
} from "./index-cache.js";
import { openReplicaDatabase, readStoredDocument, sameKeys } from "./stored-document.js";

/** Turns a document's stored chunks into its plain content (Automerge's load, then `toJS`). */
export type LoadDocument = (chunks: readonly Uint8Array[]) => Promise<unknown>;

/**
 * Reads the fleet index (ARCHITECTURE.md, "The fleet index"): the FleetDoc's devices and summary
 * index, then every shard it lists, from the replica's IndexedDB, and `post`s each as plain data.
 * A document whose stored chunks are those of its cache record is taken from the cache, with no
 * Automerge work; any other is loaded (`load`), read, and cached with the keys it was read from.
 * Equal keys are equal bytes, so a cached record is exactly what the stored document says.
 * Records of another `format` (another build's reading code) are read again.
 */
export async function readFleetIndex(
  request: FleetIndexRequest,
  load: LoadDocument,
  post: (message: FleetIndexMessage) => void,
  format: string = INDEX_CACHE_FORMAT,
): Promise<void> {
  const replica = await openReplicaDatabase(request.database);
  if (replica === undefined) {
    post({ type: "missing", what: "fleet" });
    post({ type: "done", cachedDocuments: 0, readDocuments: 0 });
    return;
  }
  const cache = await openIndexCache(indexCacheName(request.database));
  const counts = { cachedDocuments: 0, readDocuments: 0 };
  try {
    const readOne = async <Content>(
      documentId: string,
      extract: (raw: unknown) => Content,
    ): Promise<Content | undefined> => {
      const stored = await readStoredDocument(replica, documentId, false);
      if (stored === undefined) return undefined;
      const cached = await readCached<Content>(cache, documentId, format);
      if (cached !== undefined && sameKeys(cached.keys, stored.keys)) {
        counts.cachedDocuments += 1;
        return cached.content;
      }
      const full = await readStoredDocument(replica, documentId, true);
      if (full === undefined) return undefined;
      const content = extract(await load(full.chunks));
      counts.readDocuments += 1;
      await writeCached(cache, {
        documentId,
        format,
        keys: full.keys,
        content,
      });
      return content;
    };

    const fleet = await readOne(request.fleetDocumentId, fleetContentOf);
    if (fleet === undefined) {
      post({ type: "missing", what: "fleet" });
    } else {
      post({ type: "fleet", content: fleet });
      // Cached shards come from IndexedDB in parallel; shards to load, one after another.
      await Promise.all(
        (fleet.summaries?.shards ?? []).map(async (url) => {
          const content = await readOne(documentIdOf(url), shardContentOf);
          post(
            content === undefined
              ? { type: "missing", what: url }
              : { type: "shard", url, content },
          );
        }),
      );
    }
    post({ type: "done", ...counts });
  } catch (error) {
    post({ type: "failed", message: messageOf(error) });
  } finally {
    replica.close();
    cache.close();
  }
}

function documentIdOf(url: string): string {
  return url.startsWith("automerge:") ? url.slice("automerge:".length) : url;
}
