import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { cpuSecondsOf, rssOf } from "../agent-footprint/proc-usage.js";

/** What the agent used while measured. */
export interface IdleUsage {
  seconds: number;
  /** User + system time, its own and its reaped children's, percent of one core. */
  cpuPercent: number;
  peakRssMb: number;
  finalRssMb: number;
}

/**
 * CPU of process `pid` over `seconds` (from /proc, as bench:agent-footprint measures it), with
 * its peak and final resident set.
 */
export async function measureIdleUsage(pid: () => number, seconds: number): Promise<IdleUsage> {
  const cpu0 = await cpuSecondsOf(pid());
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  let peakRssMb = 0;
  while (performance.now() < deadline) {
    await sleep(Math.min(5_000, deadline - performance.now()));
    peakRssMb = Math.max(peakRssMb, (await rssOf(pid())).peakRssMb);
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const cpuPercent = (((await cpuSecondsOf(pid())) - cpu0) / elapsedS) * 100;
  return { seconds: elapsedS, cpuPercent, peakRssMb, finalRssMb: (await rssOf(pid())).rssMb };
}

/**
 * A fingerprint (names, sizes, times) of the chunk files of one document in a
 * CrashSafeFileStorageAdapter folder: it changes whenever the agent writes to that document.
 */
export async function documentFingerprint(
  documentsFolder: string,
  documentId: string,
): Promise<string> {
  // The adapter's file-name encoding of a document ID (base58: only capitals are escaped).
  const folderName = documentId.replace(/[A-Z]/g, (letter) => `^${letter.toLowerCase()}`);
  const files: string[] = [];
  for (const entry of await readdir(documentsFolder, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !path.split("/").includes(folderName)) continue;
    // A chunk compacted away since the listing is a change too: its absence says so.
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (found) files.push(`${path} ${found.size} ${found.mtimeMs}`);
  }
  if (files.length === 0) {
    throw new Error(
      `no chunk files of document ${documentId} under ${documentsFolder}: has the storage layout changed?`,
    );
  }
  return files.sort().join("\n");
}

/**
 * Waits until `fingerprint()` has not changed for `quietMs` (and at least `minMs` have passed):
 * the agent has recorded what it decides about the queue and only re-plans it. With
 * `mustChange`, a first change must come before (loading a large document and planning it the
 * first time can take longer than `quietMs` without a write). Returns the seconds waited.
 */
export async function waitUntilQuiet(
  fingerprint: () => Promise<string>,
  options: { minMs: number; quietMs: number; maxMs: number; pollMs: number; mustChange: boolean },
): Promise<number> {
  const startedAt = performance.now();
  let last = await fingerprint();
  let changedAt = startedAt;
  let changed = false;
  for (;;) {
    await sleep(options.pollMs);
    const now = performance.now();
    const current = await fingerprint();
    if (current !== last) {
      last = current;
      changedAt = now;
      changed = true;
    }
    const quiet = now - changedAt >= options.quietMs && (changed || !options.mustChange);
    if (now - startedAt >= options.minMs && quiet) {
      return (now - startedAt) / 1000;
    }
    if (now - startedAt > options.maxMs) {
      throw new Error(
        `the agent was still writing its DeviceDoc after ${options.maxMs / 1000} s: the queue never settled`,
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
