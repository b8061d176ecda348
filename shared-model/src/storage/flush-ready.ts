import type { Repo } from "@automerge/automerge-repo";

/**
 * Flushes every document of `repo` that is ready. `Repo.flush()` without a list reads `doc()` of
 * every handle it holds and throws "DocHandle is not ready" for one still loading or being
 * requested from a peer (automerge-repo 2.5), and `Repo.shutdown()` ends with that flush: an agent
 * stopping while its TrustDoc is on its way from the relay would fail to stop. A handle that is
 * not ready has nothing of its own to save.
 */
export function flushReady(repo: Repo): Promise<void> {
  const ready = Object.values(repo.handles)
    .filter((handle) => handle.isReady())
    .map((handle) => handle.documentId);
  return repo.flush(ready);
}

/** `Repo.shutdown()` that does not throw for a document still on its way: see {@link flushReady}. */
export function shutdownRepo(repo: Repo): Promise<void> {
  for (const adapter of repo.networkSubsystem.adapters) adapter.disconnect();
  return flushReady(repo);
}
