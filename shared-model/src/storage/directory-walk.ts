import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { errorCode } from "./durable-fs.js";

/** Every file and directory found below a directory; a directory comes after its children. */
export interface DirectoryListing {
  files: string[];
  directories: string[];
}

/**
 * Lists `root` recursively. A directory that vanishes while it is walked (another task removed
 * it) counts as empty; `include` decides which entries directly under `root` to descend into.
 * One readdir at a time: on a 2-core machine, parallel walking measured no faster (10,000
 * documents take about 1.3 s), and the order stays deterministic.
 */
export async function walkDirectory(
  root: string,
  include: (topLevelName: string) => boolean = () => true,
): Promise<DirectoryListing> {
  const listing: DirectoryListing = { files: [], directories: [] };
  await walkInto(root, listing, include);
  return listing;
}

async function walkInto(
  directory: string,
  listing: DirectoryListing,
  include: (name: string) => boolean,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") return;
    throw new Error(`listing directory ${directory}`, { cause: error });
  }
  for (const entry of entries) {
    if (!include(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      await walkInto(path, listing, () => true);
      listing.directories.push(path);
    } else if (entry.isFile()) {
      listing.files.push(path);
    }
  }
}

/** Maps `items` through `task` with at most `limit` tasks in flight, keeping the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
