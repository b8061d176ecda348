import { readFile, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";
import { type Logger, makeLogger } from "../log/logger.js";
import {
  decodeChunkFile,
  encodeChunkFile,
  UnsupportedChunkFormatVersion,
} from "./chunk-file-format.js";
import { listChunkFiles, prepareStore } from "./chunk-listing.js";
import { mapWithConcurrency } from "./directory-walk.js";
import {
  commitTempFile,
  createTempFile,
  errorCode,
  fsyncDirectory,
  makeDirectoryDurably,
  unlessMissing,
} from "./durable-fs.js";
import { chunkFilePath } from "./key-paths.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { moveToQuarantine } from "./quarantine.js";

// Enough parallel reads to keep the disk busy without running out of file descriptors.
const IO_CONCURRENCY = 16;
const DIRECTORY_LOCK = "directories";

/** Options of {@link CrashSafeFileStorageAdapter.create}. */
export interface CrashSafeFileStorageOptions {
  /** Receives torn-chunk errors and start-up clean-up; defaults to `makeLogger("outpost:storage")`. */
  logger?: Logger;
  /**
   * Only read: no start-up clean-up, no quarantine, and every write rejects. For a second process
   * looking at a store its owner is writing (`outpost-agent status`): removing "leftover" temp
   * files there would break the owner's writes under way.
   */
  readOnly?: boolean;
}

/**
 * automerge-repo storage on the local file system that survives crashes and power loss.
 *
 * - A save writes a temp file next to the chunk, fsyncs it, renames it over the chunk and fsyncs
 *   the directory, so `save()` resolving means the chunk is on disk, and a crash leaves the old
 *   chunk or the new one, never a mix.
 * - Every chunk file carries a header with a length and CRC32 (see `chunk-file-format.ts`). A file
 *   that fails the check is torn: it is skipped, logged as an error and moved to `quarantine/`.
 * - Nothing is cached: each load reads the disk, so memory does not grow with the store.
 *
 * Create it with {@link CrashSafeFileStorageAdapter.create}, which also removes temp files left by
 * a crash. One process at a time may use a directory: the locks that order concurrent calls are
 * in memory.
 */
export class CrashSafeFileStorageAdapter implements StorageAdapterInterface {
  /** Absolute path of the directory holding the chunks. */
  readonly baseDirectory: string;
  readonly #logger: Logger;
  // Orders saves, removes and loads of one file: a load never quarantines a file that a save
  // renamed into place after the load read the old bytes.
  readonly #fileLocks = new KeyedMutex();
  // Creating directories and pruning empty ones take turns, so a save never loses its directory.
  readonly #directoryLock = new KeyedMutex();
  #lastWriteSequence = 0n;
  #inFlight = new Set<Promise<unknown>>();

  readonly #readOnly: boolean;

  private constructor(baseDirectory: string, logger: Logger, readOnly: boolean) {
    this.baseDirectory = baseDirectory;
    this.#logger = logger;
    this.#readOnly = readOnly;
  }

  /** Opens (creating if needed) the store in `baseDirectory` and removes leftover temp files. */
  static async create(
    baseDirectory: string,
    options: CrashSafeFileStorageOptions = {},
  ): Promise<CrashSafeFileStorageAdapter> {
    const logger = options.logger ?? makeLogger("outpost:storage");
    const readOnly = options.readOnly === true;
    const adapter = new CrashSafeFileStorageAdapter(resolve(baseDirectory), logger, readOnly);
    if (readOnly) return adapter;
    const removed = await prepareStore(adapter.baseDirectory);
    if (removed > 0) {
      logger.info(
        { baseDirectory: adapter.baseDirectory, count: removed },
        `removed ${removed} temp files left by interrupted writes in ${adapter.baseDirectory}`,
      );
    }
    return adapter;
  }

  /**
   * Resolves once no call is under way. automerge-repo's `flush()` and `shutdown()` do not wait
   * for saves its throttle already started; whoever must know the folder has gone quiet (a
   * stopping relay, a test removing the folder) waits here.
   */
  async whenIdle(): Promise<void> {
    // A caller may start its next operation in the continuation of the last one (automerge-repo
    // removes the chunks a snapshot replaced one after another): look again a turn later.
    do {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.#inFlight.size > 0);
  }

  /** Loads the chunk stored under `key`; undefined when there is none or it is torn. */
  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#track(
      this.#readChunk(chunkFilePath(this.baseDirectory, key)).then((chunk) => chunk?.payload),
    );
  }

  /** Saves `data` under `key`; resolves once it is durable on disk. */
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    if (this.#readOnly) return this.#refuseWrite("save", key);
    return this.#track(this.#save(key, data));
  }

  #refuseWrite(operation: string, key: StorageKey): Promise<never> {
    return Promise.reject(
      new Error(`${operation} ${key.join("/")}: ${this.baseDirectory} is opened read-only`),
    );
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    this.#inFlight.add(operation);
    const done = () => this.#inFlight.delete(operation);
    operation.then(done, done);
    return operation;
  }

  async #save(key: StorageKey, data: Uint8Array): Promise<void> {
    const filePath = chunkFilePath(this.baseDirectory, key);
    const bytes = encodeChunkFile(data, this.#nextWriteSequence());
    await this.#fileLocks.run(filePath, async () => {
      try {
        const temp = await this.#directoryLock.run(DIRECTORY_LOCK, async () => {
          await makeDirectoryDurably(dirname(filePath));
          return createTempFile(filePath);
        });
        await commitTempFile(temp, filePath, bytes);
      } catch (cause) {
        throw new Error(`saving chunk ${filePath}`, { cause });
      }
    });
  }

  /** Removes the chunk under `key`, if any. Its directory stays: the next save likely reuses it. */
  remove(key: StorageKey): Promise<void> {
    if (this.#readOnly) return this.#refuseWrite("remove", key);
    return this.#track(this.#removeFiles([chunkFilePath(this.baseDirectory, key)]));
  }

  /** Loads every valid chunk whose key starts with `keyPrefix`, in the order they were written. */
  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#track(this.#loadRange(keyPrefix));
  }

  async #loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const { files } = await listChunkFiles(this.baseDirectory, keyPrefix);
    const loaded = await mapWithConcurrency(files, IO_CONCURRENCY, async ({ key, filePath }) => {
      const chunk = await this.#readChunk(filePath);
      return chunk && { key, filePath, ...chunk };
    });
    return loaded
      .filter((chunk) => chunk !== undefined)
      .sort((a, b) => compare(a.writeSequence, b.writeSequence) || compare(a.filePath, b.filePath))
      .map(({ key, payload }) => ({ key, data: payload }));
  }

  /**
   * True when a chunk is stored under a key starting with `keyPrefix` (whether it is valid is
   * found out only by loading it). Reads directories, never chunks: cheap for a large document.
   */
  hasAnyUnder(keyPrefix: StorageKey): Promise<boolean> {
    return this.#track(this.#hasAnyUnder(keyPrefix));
  }

  async #hasAnyUnder(keyPrefix: StorageKey): Promise<boolean> {
    // The listing names the prefix's own file whether or not it exists: look at each.
    const { files } = await listChunkFiles(this.baseDirectory, keyPrefix);
    for (const { filePath } of files) {
      if (await unlessMissing(stat(filePath)).then((found) => found !== undefined)) return true;
    }
    return false;
  }

  /**
   * Bytes on disk of the chunk files under keys starting with `keyPrefix` (headers included), for
   * quotas. A file removed while it is counted counts as 0.
   */
  storedBytesUnder(keyPrefix: StorageKey): Promise<number> {
    return this.#track(this.#storedBytesUnder(keyPrefix));
  }

  async #storedBytesUnder(keyPrefix: StorageKey): Promise<number> {
    const { files } = await listChunkFiles(this.baseDirectory, keyPrefix);
    const sizes = await mapWithConcurrency(files, IO_CONCURRENCY, async ({ filePath }) => {
      const found = await unlessMissing(stat(filePath));
      return found?.size ?? 0;
    });
    return sizes.reduce((total, size) => total + size, 0);
  }

  /** Bytes on disk of the chunk file of `key` (header included); 0 when there is none. */
  async storedBytesOf(key: StorageKey): Promise<number> {
    const found = await unlessMissing(stat(chunkFilePath(this.baseDirectory, key)));
    return found?.size ?? 0;
  }

  /** Removes every chunk whose key starts with `keyPrefix`, and the directories left empty. */
  removeRange(keyPrefix: StorageKey): Promise<void> {
    if (this.#readOnly) return this.#refuseWrite("removeRange", keyPrefix);
    return this.#track(this.#removeRange(keyPrefix));
  }

  async #removeRange(keyPrefix: StorageKey): Promise<void> {
    const { files, directories } = await listChunkFiles(this.baseDirectory, keyPrefix);
    const filePaths = files.map((file) => file.filePath);
    await this.#removeFiles(filePaths);
    await this.#pruneEmptyDirectories([...directories, ...filePaths.map((path) => dirname(path))]);
  }

  async #readChunk(
    filePath: string,
  ): Promise<{ payload: Uint8Array; writeSequence: bigint } | undefined> {
    return this.#fileLocks.run(filePath, async () => {
      let file: Uint8Array;
      try {
        file = await readFile(filePath);
      } catch (cause) {
        if (errorCode(cause) === "ENOENT") return undefined;
        throw new Error(`loading chunk ${filePath}`, { cause });
      }
      const decoded = decodeChunkFile(file);
      if (decoded.kind === "unsupported-version") {
        throw new UnsupportedChunkFormatVersion(filePath, decoded.version);
      }
      if (decoded.kind === "valid") return decoded;
      if (this.#readOnly) {
        this.#logger.warn({ filePath, reason: decoded.reason }, `torn chunk ${filePath} skipped`);
        return undefined;
      }
      await this.#quarantine(filePath, decoded.reason);
      return undefined;
    });
  }

  async #quarantine(filePath: string, reason: string): Promise<void> {
    try {
      const movedTo = await moveToQuarantine(this.baseDirectory, filePath);
      this.#logger.error(
        { filePath, reason, movedTo },
        `torn chunk file ${filePath} skipped: ${reason}; moved to ${movedTo ?? "(already gone)"}`,
      );
    } catch (error) {
      // Still skipped: a torn chunk must not be loaded even if it cannot be moved aside.
      this.#logger.error(
        { filePath, reason, err: error },
        `torn chunk file ${filePath} skipped: ${reason}; moving it to quarantine failed`,
      );
    }
  }

  async #removeFiles(filePaths: string[]): Promise<void> {
    const parents = new Set(filePaths.map((filePath) => dirname(filePath)));
    await mapWithConcurrency(filePaths, IO_CONCURRENCY, (filePath) =>
      this.#fileLocks.run(filePath, () =>
        unlessMissing(unlink(filePath)).catch((cause: unknown) => {
          throw new Error(`removing chunk ${filePath}`, { cause });
        }),
      ),
    );
    // So a removal resolved is a removal that a crash cannot undo.
    await mapWithConcurrency([...parents], IO_CONCURRENCY, (parent) =>
      unlessMissing(fsyncDirectory(parent)).catch((cause: unknown) => {
        throw new Error(`syncing directory ${parent}`, { cause });
      }),
    );
  }

  /**
   * Removes empty directories bottom-up, up to (not including) the base, so deleted documents
   * leave no folders behind for start-up to walk. rmdir only
   * removes an empty directory, and a save holds the directory lock from creating its directory
   * until its temp file exists there, so a directory in use is never removed.
   */
  async #pruneEmptyDirectories(directories: string[]): Promise<void> {
    const deepestFirst = [...new Set(directories)].sort((a, b) => b.length - a.length);
    await this.#directoryLock.run(DIRECTORY_LOCK, async () => {
      for (const start of deepestFirst) {
        for (let dir = start; this.#isBelowBase(dir); dir = dirname(dir)) {
          const removed = await rmdir(dir).then(
            () => true,
            (error: unknown) => errorCode(error) === "ENOENT",
          );
          if (!removed) break;
        }
      }
    });
  }

  #isBelowBase(path: string): boolean {
    const fromBase = relative(this.baseDirectory, path);
    return fromBase !== "" && !fromBase.startsWith("..") && !isAbsolute(fromBase);
  }

  #nextWriteSequence(): bigint {
    // Wall-clock based so the order holds across restarts; +1 keeps it strictly increasing.
    const now = BigInt(Date.now()) * 1000n;
    this.#lastWriteSequence = now > this.#lastWriteSequence ? now : this.#lastWriteSequence + 1n;
    return this.#lastWriteSequence;
  }
}

function compare<T extends bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
