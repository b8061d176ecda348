import { unlink } from "node:fs/promises";
import { join, relative } from "node:path";
import type { StorageKey } from "@automerge/automerge-repo";
import { walkDirectory } from "./directory-walk.js";
import { makeDirectoryDurably, unlessMissing } from "./durable-fs.js";
import {
  CHUNK_SUFFIX,
  isShardName,
  keyFromRelativePath,
  keyStartsWith,
  prefixDirectory,
  QUARANTINE_DIRECTORY,
  TEMP_SUFFIX,
} from "./key-paths.js";

/** A chunk file found on disk and the key it holds. */
export interface ChunkFile {
  key: StorageKey;
  filePath: string;
}

/**
 * The chunk files whose keys start with `prefix`, and the directories below the prefix (for
 * pruning after a removal). Temp files, `quarantine/` and foreign files are never listed. Nothing
 * is read here, so a file listed may be gone by the time it is loaded.
 */
export async function listChunkFiles(
  baseDirectory: string,
  prefix: StorageKey,
): Promise<{ files: ChunkFile[]; directories: string[] }> {
  const root = prefixDirectory(baseDirectory, prefix);
  // Directly under the base only shard folders hold chunks; that skips quarantine/.
  const listing = await walkDirectory(root, prefix.length === 0 ? isShardName : undefined);
  // The prefix may itself be a key: its file sits next to its directory.
  const candidates = prefix.length === 0 ? listing.files : [root + CHUNK_SUFFIX, ...listing.files];
  const files = candidates.flatMap((filePath) => {
    const key = keyFromRelativePath(relative(baseDirectory, filePath));
    return key !== undefined && keyStartsWith(key, prefix) ? [{ key, filePath }] : [];
  });
  const directories = prefix.length === 0 ? listing.directories : [...listing.directories, root];
  return { files, directories };
}

/**
 * Prepares a store for use: creates the base and `quarantine/` durably if needed and deletes the
 * temp files of writes a crash interrupted (their chunks were never renamed into place, so the
 * previous version, if any, is still there). Returns how many temp files it deleted.
 */
export async function prepareStore(baseDirectory: string): Promise<number> {
  await makeDirectoryDurably(join(baseDirectory, QUARANTINE_DIRECTORY));
  const { files } = await walkDirectory(baseDirectory, isShardName);
  const leftovers = files.filter((filePath) => filePath.endsWith(TEMP_SUFFIX));
  for (const filePath of leftovers) {
    await unlessMissing(unlink(filePath)).catch((cause: unknown) => {
      throw new Error(`removing temp file ${filePath}`, { cause });
    });
  }
  return leftovers.length;
}
