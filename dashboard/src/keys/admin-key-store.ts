import {
  type AdminKeyCertificate,
  exportPublicKey,
  generateSigningKey,
  keyIdOf,
} from "@outpost/shared-model";

/**
 * One of this browser's admin signing keys. The private key is a non-extractable WebCrypto key:
 * IndexedDB keeps the key object itself (structured clone), so script on the page can sign with
 * it while the page runs and can never read its bytes.
 */
export interface StoredAdminKey {
  /** Whose key, for which relay: `<relay host>/<admin>`. */
  scope: string;
  keyId: string;
  /** The raw Ed25519 public key, base64url. */
  publicKey: string;
  privateKey: CryptoKey;
  /** Which browser holds it, as registered with the relay. */
  label: string;
  /** When this browser made it (epoch ms). */
  createdAt: number;
  /** The root's certificate, once one arrived that verifies against the fleet's root. */
  certificate?: AdminKeyCertificate;
  /** When the root revoked it, once a revocation arrived that verifies. */
  revokedAt?: number;
}

/** The database of this browser's admin keys, beside the replicas (`outpost:<relay>/<admin>`). */
export const KEY_DATABASE = "outpost-keys";
const STORE = "keys";
const BY_SCOPE = "scope";

/**
 * This browser's admin signing keys in IndexedDB, in a database of their own: signing out deletes
 * the replica, not the keys, so an admin who signs in again here keeps a key the root certified
 * (revoke it on the Keys page when the browser is given away).
 */
export class AdminKeyStore {
  readonly #database: Promise<IDBDatabase>;

  constructor(name: string = KEY_DATABASE) {
    this.#database = new Promise((resolve, reject) => {
      const opening = indexedDB.open(name, 1);
      opening.onupgradeneeded = () => {
        const store = opening.result.createObjectStore(STORE, { keyPath: "keyId" });
        store.createIndex(BY_SCOPE, "scope");
      };
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () =>
        reject(new Error(`cannot open this browser's key store: ${opening.error?.message}`));
    });
  }

  /** The keys of `scope`, oldest first. */
  async keysOf(scope: string): Promise<StoredAdminKey[]> {
    const database = await this.#database;
    const request = database.transaction(STORE).objectStore(STORE).index(BY_SCOPE).getAll(scope);
    const keys = await settled<StoredAdminKey[]>(request);
    return keys.sort((a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : 1));
  }

  /** Makes a new non-extractable Ed25519 key for `scope` and keeps it. */
  async create(scope: string, label: string, createdAt: number): Promise<StoredAdminKey> {
    const pair = await generateSigningKey();
    const publicKey = await exportPublicKey(pair.publicKey);
    const key: StoredAdminKey = {
      scope,
      keyId: await keyIdOf(publicKey),
      publicKey,
      privateKey: pair.privateKey,
      label,
      createdAt,
    };
    await this.put(key);
    return key;
  }

  /** Writes `key` whole (a certificate or revocation learnt). */
  async put(key: StoredAdminKey): Promise<void> {
    const database = await this.#database;
    const transaction = database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).put(key);
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () =>
        reject(new Error(`cannot save a signing key here: ${transaction.error?.message}`));
      transaction.onabort = () =>
        reject(new Error(`cannot save a signing key here: ${transaction.error?.message}`));
    });
  }

  /** Closes the database connection. */
  async close(): Promise<void> {
    (await this.#database).close();
  }
}

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(new Error(`cannot read this browser's key store: ${request.error?.message}`));
  });
}
