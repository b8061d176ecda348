import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";

/**
 * automerge-repo's IndexedDB storage, with a way to close its connection. Signing out deletes the
 * replica's database, and IndexedDB will not delete a database this page still holds open; the
 * stock adapter (2.5.6) never closes it.
 */
export class ClosableIndexedDBStorage extends IndexedDBStorageAdapter {
  /** Closes the database connection; the adapter must not be used afterwards. */
  async close(): Promise<void> {
    // `dbPromise` is private in the adapter's types but a plain field at run time.
    const database = await (this as unknown as { dbPromise: Promise<IDBDatabase> }).dbPromise;
    database.close();
  }
}
