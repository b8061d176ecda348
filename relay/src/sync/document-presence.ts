import type { DocumentId, Repo } from "@automerge/automerge-repo";

/** Where a document's chunks are looked for (the relay's crash-safe storage). */
export interface ChunkDirectory {
  hasAnyUnder(keyPrefix: string[]): Promise<boolean>;
}

/**
 * True when the relay has `documentId`: stored on disk, or loaded with content not yet saved.
 * An `unavailable` handle (someone asked for a document nobody has) does not count.
 */
export type DocumentPresence = (documentId: DocumentId) => Promise<boolean>;

/** The presence check of a relay's repo and storage. */
export function documentPresence(repo: Repo, storage: ChunkDirectory): DocumentPresence {
  return async (documentId) => {
    const handle = repo.handles[documentId];
    if (handle?.isReady() && handle.heads().length > 0) return true;
    return storage.hasAnyUnder([documentId]);
  };
}
