import { readFileSync } from "node:fs";

/**
 * File descriptors kept for everything that is not a client socket: storage chunks being
 * written, journals, the data-folder lock, file watchers, Node's own.
 */
export const RESERVED_FILE_DESCRIPTORS = 512;

/**
 * The process's soft limit on open files, from `/proc/self/limits` (Linux; Node raises the soft
 * limit to the hard one at start). `undefined` where that file does not exist or says
 * "unlimited".
 */
export function openFileLimit(read: () => string = readProcLimits): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const line = text.split("\n").find((candidate) => candidate.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  const limit = Number(soft);
  return Number.isInteger(limit) && limit > 0 ? limit : undefined;
}

function readProcLimits(): string {
  return readFileSync("/proc/self/limits", "utf8");
}

/**
 * The connection cap the relay can keep: `configured`, or less when the open-file limit would
 * run out first. Past the limit, accepting fails and so does every storage write (EMFILE):
 * better to refuse a socket than to lose a flush.
 */
export function connectionCapFor(
  configured: number,
  fileLimit: number | undefined,
): { cap: number; lowered: boolean } {
  if (fileLimit === undefined) return { cap: configured, lowered: false };
  const room = Math.max(1, fileLimit - RESERVED_FILE_DESCRIPTORS);
  return room < configured ? { cap: room, lowered: true } : { cap: configured, lowered: false };
}
