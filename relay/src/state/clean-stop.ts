import { open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const FILE = "summaries-clean";

/**
 * Whether the relay's last stop was clean, for the summary shards (ARCHITECTURE.md, "Fleet
 * summaries"): a clean stop writes every queued summary and then this marker; a start takes it
 * away (durably) before anything can be queued. A start that finds none (a crash, a kill, a data
 * folder from before summaries) summarizes every device again in the background, since writes
 * queued in the last second before the crash may be lost.
 */
export async function takeCleanStop(dataDirectory: string): Promise<boolean> {
  const path = join(dataDirectory, FILE);
  try {
    await rm(path);
  } catch {
    return false;
  }
  await syncDirectory(dataDirectory);
  return true;
}

/** Records a clean stop, once every summary is written and flushed. */
export async function markCleanStop(dataDirectory: string): Promise<void> {
  await writeFile(join(dataDirectory, FILE), `${new Date().toISOString()}\n`, { mode: 0o600 });
  await syncDirectory(dataDirectory);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
