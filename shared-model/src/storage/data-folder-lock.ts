import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/** Another process is using the same data folder. */
export class DataFolderBusy extends Error {
  override name = "DataFolderBusy";
}

/** Whose lock: its file in the data folder and the program named in the refusal. */
export interface DataFolderOwner {
  /** `agent.pid`, `relay.pid`. */
  lockFile: string;
  /** `outpost-agent`, `outpost-relay`. */
  program: string;
}

/**
 * Takes the data folder for this process: two processes writing the same documents (the storage
 * allows one writer per folder) would undo each other. A lock left by a process that no longer
 * runs (killed, crashed) is taken over. Returns the release function.
 *
 * @throws DataFolderBusy naming the PID that holds it.
 */
export async function lockDataFolder(
  dataDirectory: string,
  owner: DataFolderOwner,
): Promise<() => Promise<void>> {
  const path = join(dataDirectory, owner.lockFile);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(path, "wx", 0o644);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new DataFolderBusy(
        `${dataDirectory} is in use by another ${owner.program} (PID ${holder}); stop it first, or give this one another data folder`,
      );
    }
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw new DataFolderBusy(
    `could not take ${path}: another ${owner.program} is starting at the same time`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
