/**
 * The fleet index's cache (ARCHITECTURE.md, "The fleet index"): per document, what the fleet view
 * reads of it (plain data) and the keys of the stored chunks it was read from. A database of its
 * own, so automerge-repo's replica database is never written here; sign-out deletes both.
 */

const STORE = "documents";
/**
 * Bumped whenever what is cached changes meaning; the worker adds its own script's (hashed) path,
 * so a build whose reading or validation code differs reads every document again.
 */
export const INDEX_CACHE_FORMAT = "1";

/** One document as the fleet view reads it, and the stored chunks it was read from. */
export interface CachedDocument<Content> {
  documentId: string;
  format: string;
  keys: string[];
  content: Content;
}

/** The cache database's name for a replica database. */
export function indexCacheName(replicaDatabase: string): string {
  return `${replicaDatabase}:fleet-index`;
}

/** Opens (creating if needed) the cache database. */
export function openIndexCache(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      const database = request.result;
      database.onversionchange = () => database.close();
      resolve(database);
    };
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
    request.onblocked = () => reject(new Error(`${name} is being upgraded or deleted`));
  });
}

/** The cached record of a document, when there is one of this format. */
export function readCached<Content>(
  database: IDBDatabase,
  documentId: string,
  format: string,
): Promise<CachedDocument<Content> | undefined> {
  return new Promise((resolve, reject) => {
    const request = database.transaction(STORE).objectStore(STORE).get(documentId);
    request.onsuccess = () => {
      const record = request.result as CachedDocument<Content> | undefined;
      resolve(record?.format === format ? record : undefined);
    };
    request.onerror = () => reject(request.error ?? new Error(`could not read ${documentId}`));
  });
}

/** Stores a document's record, replacing the one before. */
export function writeCached<Content>(
  database: IDBDatabase,
  record: CachedDocument<Content>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).put(record, record.documentId);
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error("could not write the cache"));
  });
}
