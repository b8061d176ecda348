import { randomBytes } from "node:crypto";
import { mkdir, rename } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { errorCode } from "./durable-fs.js";
import { QUARANTINE_DIRECTORY } from "./key-paths.js";

// File names are limited to 255 bytes; the tail of the original path is the informative part.
const MAX_ORIGIN_LENGTH = 200;

/**
 * Moves a torn chunk file into `<base>/quarantine/`, never deleting it, so an operator can
 * inspect it. The new name is `<epoch ms>-<random>-<original relative path with "/" as "+">`
 * ("+" never occurs in encoded key components, so the origin stays readable).
 *
 * Returns the new path, or undefined when the file was already gone (another task moved or
 * removed it first). The rename is not fsynced: if a crash undoes it, the torn file is simply
 * found and quarantined again.
 */
export async function moveToQuarantine(
  baseDirectory: string,
  filePath: string,
): Promise<string | undefined> {
  const origin = relative(baseDirectory, filePath).split(sep).join("+").slice(-MAX_ORIGIN_LENGTH);
  const name = `${Date.now()}-${randomBytes(4).toString("hex")}-${origin}`;
  const quarantine = join(baseDirectory, QUARANTINE_DIRECTORY);
  const target = join(quarantine, name);
  try {
    // Cheap when it exists; recreates the folder if an operator removed it while we run.
    await mkdir(quarantine, { recursive: true });
    await rename(filePath, target);
    return target;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw new Error(`moving torn chunk ${filePath} to ${target}`, { cause: error });
  }
}
