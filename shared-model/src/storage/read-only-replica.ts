import { Repo } from "@automerge/automerge-repo";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";
import { shutdownRepo } from "./flush-ready.js";

/**
 * A network-less `Repo` over a documents folder (an agent's or a relay's) opened read-only, as
 * the next start of its owner would load it: for status commands, tests and benchmarks that read
 * what a stopped (or killed) process left on disk. Nothing is ever written back, not even by
 * `shutdown()`; a torn chunk is skipped and reported to `logger`. The caller shuts the repo down.
 */
export async function openReadOnlyReplica(
  documentsFolder: string,
  options: { logger?: Logger } = {},
): Promise<Repo> {
  const storage = await CrashSafeFileStorageAdapter.create(documentsFolder, {
    readOnly: true,
    logger: options.logger ?? silentLogger,
  });
  return new Repo({ storage, network: [] });
}

/** Opens {@link openReadOnlyReplica}, runs `read` over it and shuts it down, whatever `read` did. */
export async function readReplica<T>(
  documentsFolder: string,
  read: (repo: Repo) => Promise<T>,
  options: { logger?: Logger } = {},
): Promise<T> {
  const repo = await openReadOnlyReplica(documentsFolder, options);
  try {
    return await read(repo);
  } finally {
    await shutdownRepo(repo);
  }
}
