/**
 * Reads one document's chunks straight from the replica's IndexedDB database, as
 * automerge-repo's IndexedDB adapter stores them (object store `documents`, keys
 * `[documentId, "snapshot" | "incremental", hash]`, values `{ key, binary }`). Read-only: used by
 * the fleet index (ARCHITECTURE.md, "The fleet index"), which never writes the replica.
 */

/** The object store automerge-repo's IndexedDB adapter keeps every chunk in. */
const STORE = "documents";

/** A document as stored: its chunks' keys (which name their bytes) and the bytes, in load order. */
export interface StoredDocument {
  /** Every chunk key, joined (`documentId/type/hash`): equal keys are equal bytes. */
  keys: string[];
  /** Snapshots first, then incremental chunks, as automerge-repo loads them. */
  chunks: Uint8Array[];
}

/**
 * Opens the replica's database for reading; `undefined` when this browser has none yet. Opening a
 * database that does not exist would create it empty, at the version automerge-repo's adapter
 * expects, and the adapter would then never create its store: so an upgrade is aborted here.
 */
export function openReplicaDatabase(name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    let missing = false;
    request.onupgradeneeded = () => {
      missing = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => {
      const database = request.result;
      if (!database.objectStoreNames.contains(STORE)) {
        database.close();
        resolve(undefined);
        return;
      }
      // Sign-out deletes the replica: never be the connection that blocks it.
      database.onversionchange = () => database.close();
      resolve(database);
    };
    request.onerror = () => {
      if (missing) resolve(undefined);
      else reject(request.error ?? new Error(`could not open ${name}`));
    };
    request.onblocked = () => reject(new Error(`${name} is being upgraded or deleted`));
  });
}

/**
 * One document's chunks, read in one transaction (so keys and bytes are one consistent state);
 * `undefined` when the replica holds none.
 */
export function readStoredDocument(
  database: IDBDatabase,
  documentId: string,
  withBytes: boolean,
): Promise<StoredDocument | undefined> {
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(STORE);
    const store = transaction.objectStore(STORE);
    const range = (type: string) =>
      IDBKeyRange.bound([documentId, type], [documentId, type, "\uffff"]);
    const found: { keys: string[]; chunks: Uint8Array[] }[] = [];
    for (const type of ["snapshot", "incremental"]) {
      const part = { keys: [] as string[], chunks: [] as Uint8Array[] };
      found.push(part);
      if (withBytes) {
        const request = store.openCursor(range(type));
        request.onsuccess = () => {
          const cursor = request.result;
          if (cursor === null) return;
          const binary = (cursor.value as { binary?: unknown } | undefined)?.binary;
          // Keys as getAllKeys gives them (a chunk without bytes is skipped when loading).
          part.keys.push(keyOf(cursor.key));
          // Not `instanceof`: a test's IndexedDB may clone into another realm's Uint8Array.
          if (ArrayBuffer.isView(binary)) {
            part.chunks.push(new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength));
          }
          cursor.continue();
        };
      } else {
        const request = store.getAllKeys(range(type));
        request.onsuccess = () => {
          part.keys.push(...request.result.map(keyOf));
        };
      }
    }
    transaction.oncomplete = () => {
      const keys = found.flatMap((part) => part.keys);
      if (keys.length === 0) resolve(undefined);
      else resolve({ keys, chunks: found.flatMap((part) => part.chunks) });
    };
    transaction.onerror = () =>
      reject(transaction.error ?? new Error(`could not read ${documentId}`));
  });
}

function keyOf(key: IDBValidKey): string {
  return Array.isArray(key) ? key.join("/") : String(key);
}

/** True when both name the same chunks. */
export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((key, index) => key === sorted[index]);
}
