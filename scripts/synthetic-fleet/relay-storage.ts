import { createHash } from "node:crypto";
import { join } from "node:path";
import { type AutomergeUrl, type DocumentId, parseAutomergeUrl } from "@automerge/automerge-repo";
import { silentLogger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";

const PARALLEL_SAVES = 16;

/** The document ID of an `automerge:` URL, the key its chunks are stored under. */
export function documentIdOf(url: string): DocumentId {
  return parseAutomergeUrl(url as AutomergeUrl).documentId;
}

/** A saved document (its whole history) and its heads (hex change hashes). */
export interface SavedDocument {
  documentId: DocumentId;
  binary: Uint8Array;
  heads: string[];
}

/**
 * Stores documents in a stopped relay's data folder as automerge-repo would after compacting
 * them: one snapshot chunk each, under `[documentId, "snapshot", sha256 of the heads]` (its
 * `headsHash`), through the relay's own crash-safe adapter. One process may use the folder at a
 * time, hence a stopped relay.
 */
export async function storeInRelayFolder(
  relayDataDirectory: string,
  documents: readonly SavedDocument[],
): Promise<void> {
  const storage = await CrashSafeFileStorageAdapter.create(join(relayDataDirectory, "documents"), {
    logger: silentLogger,
  });
  let next = 0;
  const writer = async () => {
    while (next < documents.length) {
      const { documentId, binary, heads } = documents[next++] as SavedDocument;
      const hash = createHash("sha256").update(heads.join("")).digest("hex");
      await storage.save([documentId, "snapshot", hash], binary);
    }
  };
  // Each save waits for two fsyncs: a few at once keep the disk busy.
  await Promise.all(Array.from({ length: PARALLEL_SAVES }, writer));
  await storage.whenIdle();
}
