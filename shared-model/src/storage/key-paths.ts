/**
 * Maps storage keys (arrays of arbitrary strings) to paths under the base directory and back.
 *
 * Layout: key `[k0, k1, …, kn]` is stored at `<base>/<shard>/<e(k0)>/<e(k1)>/…/<e(kn)>.chunk`,
 * where `e` is {@link encodeKeyComponent} and `<shard>` is the first two characters of `e(k0)`,
 * so 10,000 documents spread over many directories as with the stock adapter.
 *
 * Encoded components only use `[a-z0-9_%^~-]`, never contain "." and never differ only by case:
 * - no component can be "", "." or ".." or contain a separator, and no key can escape the base;
 * - keys differing only in case (base58 document IDs do) get distinct names even on the
 *   case-insensitive file systems of Windows and macOS, and non-ASCII text is never subject to
 *   the file system's Unicode normalisation;
 * - a key's file (`x.chunk`) never collides with the directory of a longer key (`x/`), so
 *   `["a"]` and `["a", "b"]` can both exist;
 * - temp files (`x.chunk.<random>.tmp`) and the `quarantine` folder (longer than any shard) are
 *   never mistaken for chunks.
 * Names are limited to 255 bytes by most file systems, so a component can encode to at most
 * about 220 characters; automerge-repo's keys (IDs, hashes, a few words) are far shorter.
 */
import { join, sep } from "node:path";
import type { StorageKey } from "@automerge/automerge-repo";

/** Suffix of every chunk file. */
export const CHUNK_SUFFIX = ".chunk";
/** Suffix of a temp file; a file with it that exists when the adapter opens is left by a crash. */
export const TEMP_SUFFIX = ".tmp";
/** Folder inside the base directory that receives torn chunk files. */
export const QUARANTINE_DIRECTORY = "quarantine";

const EMPTY_COMPONENT = "~";
const SHARD_LENGTH = 2;

/**
 * Encodes one key component as a file name: `[a-z0-9_-]` stay, an upper-case letter `X` becomes
 * `^x`, every other UTF-8 byte becomes `%xx` (like encodeURIComponent, plus `.!~*'()`), and the
 * empty string becomes `~`.
 */
export function encodeKeyComponent(component: string): string {
  if (component === "") return EMPTY_COMPONENT;
  let encoded: string;
  try {
    encoded = encodeURIComponent(component);
  } catch (cause) {
    throw new Error(`storage key component ${JSON.stringify(component)} is not valid Unicode`, {
      cause,
    });
  }
  return encoded.replace(/%[0-9A-F]{2}|[A-Z.!~*'()]/g, (match) => {
    if (match.startsWith("%")) return match.toLowerCase();
    if (match >= "A" && match <= "Z") return `^${match.toLowerCase()}`;
    return `%${match.charCodeAt(0).toString(16)}`;
  });
}

/** Inverse of {@link encodeKeyComponent}; undefined for a name it would never produce. */
export function decodeKeyComponent(name: string): string | undefined {
  if (name === EMPTY_COMPONENT) return "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(
      name.replace(/\^([a-z])/g, (_, letter: string) => letter.toUpperCase()),
    );
  } catch {
    return undefined;
  }
  // Only the canonical spelling counts, so one key never has two files (e.g. "a" and "%61").
  return encodeKeyComponent(decoded) === name ? decoded : undefined;
}

/** The directory that holds every key starting with `prefix` (the base itself for `[]`). */
export function prefixDirectory(baseDirectory: string, prefix: StorageKey): string {
  const encoded = prefix.map(encodeKeyComponent);
  const first = encoded[0];
  if (first === undefined) return baseDirectory;
  return join(baseDirectory, first.slice(0, SHARD_LENGTH), ...encoded);
}

/** The chunk file of `key`. */
export function chunkFilePath(baseDirectory: string, key: StorageKey): string {
  if (key.length === 0) throw new Error("a storage key needs at least one component");
  return prefixDirectory(baseDirectory, key) + CHUNK_SUFFIX;
}

/**
 * The key stored at `relativePath` (relative to the base), or undefined for anything that is not
 * a chunk file of this layout: temp files, quarantined files, files put there by hand.
 */
export function keyFromRelativePath(relativePath: string): StorageKey | undefined {
  const [shard, ...names] = relativePath.split(sep);
  const last = names.pop();
  if (shard === undefined || last === undefined || !last.endsWith(CHUNK_SUFFIX)) return undefined;
  names.push(last.slice(0, -CHUNK_SUFFIX.length));
  const key: string[] = [];
  for (const name of names) {
    const component = decodeKeyComponent(name);
    if (component === undefined) return undefined;
    key.push(component);
  }
  return shard === names[0]?.slice(0, SHARD_LENGTH) ? key : undefined;
}

/** Whether a directory entry directly under the base can be a shard (and so hold chunks). */
export function isShardName(name: string): boolean {
  return name.length > 0 && name.length <= SHARD_LENGTH && !name.includes(".");
}

/** Whether `key` starts with every component of `prefix`. */
export function keyStartsWith(key: StorageKey, prefix: StorageKey): boolean {
  return prefix.length <= key.length && prefix.every((component, i) => key[i] === component);
}
