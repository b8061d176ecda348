/**
 * A stand-in for automerge-repo's stock `NodeFSStorageAdapter` (the package is not installed),
 * reduced to what matters for the torn-write test: the same layout
 * (`<base>/<k0[0..2]>/<k0[2..]>/<k1>/…`), `fs.writeFile` straight onto the final name, and loads
 * that return whatever bytes the file holds. Its never-shrinking cache is left out: the test reads
 * with a fresh instance, as a restarted process would.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

export class NaiveInPlaceAdapter implements StorageAdapterInterface {
  constructor(readonly baseDirectory: string) {}

  /** Where the stock adapter keeps `key`. */
  filePath(key: StorageKey): string {
    const [first = "", ...rest] = key;
    return join(this.baseDirectory, first.slice(0, 2), first.slice(2), ...rest);
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.filePath(key)));
    } catch {
      return undefined;
    }
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await mkdir(dirname(this.filePath(key)), { recursive: true });
    await writeFile(this.filePath(key), data); // in place: a crash here leaves a torn file
  }

  async remove(key: StorageKey): Promise<void> {
    await rm(this.filePath(key), { force: true });
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const entries = await readdir(this.baseDirectory, { recursive: true, withFileTypes: true });
    const chunks: Chunk[] = [];
    for (const entry of entries.filter((e) => e.isFile())) {
      const path = join(entry.parentPath, entry.name);
      const [shard = "", rest = "", ...others] = relative(this.baseDirectory, path).split(sep);
      const key = [shard + rest, ...others];
      if (keyPrefix.every((component, i) => key[i] === component)) {
        chunks.push({ key, data: new Uint8Array(await readFile(path)) });
      }
    }
    return chunks.sort((a, b) => a.key.join("/").localeCompare(b.key.join("/")));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    for (const chunk of await this.loadRange(keyPrefix)) await this.remove(chunk.key);
  }
}
