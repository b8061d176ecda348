/**
 * The few file-system steps that make a write survive a crash or power loss: fsync the data,
 * atomically rename it into place, fsync the directory that holds the new name.
 */
import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { TEMP_SUFFIX } from "./key-paths.js";

/** The error code of a failed file-system call, if it has one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;
}

/** Awaits `operation`, treating "no such file or directory" as success (undefined). */
export async function unlessMissing<T>(operation: Promise<T>): Promise<T | undefined> {
  try {
    return await operation;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Flushes a directory's entries (names created, renamed or removed in it) to disk. Windows cannot
 * open a directory for fsync; NTFS journals the metadata itself, so there it is skipped.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(directory, "r");
  } catch (error) {
    const code = errorCode(error);
    if (process.platform === "win32" && (code === "EPERM" || code === "EISDIR")) return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `directory` and any missing parents, then fsyncs the parent of each created directory
 * so the new entries survive a power loss. Callers must serialise calls (see the adapter's
 * directory lock): otherwise a second caller could see the directory already there and rely on
 * it before the first caller has made it durable.
 */
export async function makeDirectoryDurably(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true });
  if (firstCreated === undefined) return;
  for (let current = directory; ; current = dirname(current)) {
    await fsyncDirectory(dirname(current));
    if (current === firstCreated || dirname(current) === current) break;
  }
}

/** A temp file next to `finalPath`, created exclusively, so concurrent writers never share one. */
export async function createTempFile(
  finalPath: string,
  mode = 0o666,
): Promise<{ path: string; handle: FileHandle }> {
  const path = `${finalPath}.${randomBytes(8).toString("hex")}${TEMP_SUFFIX}`;
  return { path, handle: await open(path, "wx", mode) };
}

/**
 * Writes `bytes` to the already created temp file, fsyncs it, renames it over `finalPath` and
 * fsyncs the directory. A crash at any point leaves either the old file or the new one under
 * `finalPath`, never a mix; a leftover temp file is removed when the adapter next opens.
 */
export async function commitTempFile(
  temp: { path: string; handle: FileHandle },
  finalPath: string,
  bytes: Uint8Array,
): Promise<void> {
  try {
    try {
      await temp.handle.writeFile(bytes);
      await temp.handle.sync();
    } finally {
      await temp.handle.close();
    }
    await rename(temp.path, finalPath);
  } catch (error) {
    await unlink(temp.path).catch(() => {}); // best effort: the next open() removes it anyway
    throw error;
  }
  await fsyncDirectory(dirname(finalPath));
}

/**
 * Replaces `finalPath` with `bytes` so that a crash leaves the old file or the new one, never a
 * mix (temp file, fsync, rename, directory fsync). `mode` is the new file's permissions (e.g.
 * 0o600 for a secret), subject to the umask.
 */
export async function writeFileDurably(
  finalPath: string,
  bytes: Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  await commitTempFile(await createTempFile(finalPath, options.mode), finalPath, bytes);
}
