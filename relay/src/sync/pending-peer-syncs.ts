import type { DocHandle, Repo } from "@automerge/automerge-repo";

/**
 * How long automerge-repo 2.5's DocSynchronizer waits after a change before it syncs the document
 * with its peers (`syncDebounceRate`, an instance field set to 100 ms that nothing changes).
 */
const SYNC_THROTTLE_MS = 100;
/** Slack for the throttle's timer firing late on a busy event loop. */
const TIMER_SLACK_MS = 20;

/** What {@link watchPendingPeerSyncs} gives back. */
export interface PendingPeerSyncs {
  /** Resolves once the sync with peers that `handle`'s last change scheduled has run. */
  settled(handle: DocHandle<unknown>): Promise<void>;
}

const installed = new WeakMap<object, PendingPeerSyncs>();

/**
 * Tracks, per handle, when the sync with peers its last change scheduled will have run.
 *
 * automerge-repo 2.5 answers every `change` of a handle (a load from storage included) with a
 * throttled `#syncWithPeers`, which first awaits `whenReady()`. A handle unloaded before that
 * timer fires is never ready again, so the call waits out the handle's 60 s timeout and logs
 * "error waiting for … to be in one of states: ready" and "sync with peers threw an exception";
 * a change received from one peer would also never reach the others. An unload waits for
 * {@link PendingPeerSyncs.settled} first. Only documents changed within the last 100 ms wait, so
 * sweeps of idle documents cost nothing extra.
 *
 * Every handle the repo registers passes through `synchronizer.addDocument`, so that is where the
 * change listener is attached. Calling this again on the same repo returns the same tracker.
 */
export function watchPendingPeerSyncs(repo: Repo): PendingPeerSyncs {
  const synchronizer = repo.synchronizer;
  const existing = installed.get(synchronizer);
  if (existing !== undefined) return existing;

  const lastChange = new WeakMap<DocHandle<unknown>, number>();
  const addDocument = synchronizer.addDocument.bind(synchronizer);
  synchronizer.addDocument = (handle: DocHandle<unknown>): void => {
    // The repo registers a handle again on some paths; one listener is enough.
    if (!lastChange.has(handle)) {
      lastChange.set(handle, 0);
      handle.on("change", () => lastChange.set(handle, performance.now()));
    }
    addDocument(handle);
  };
  const tracker: PendingPeerSyncs = {
    async settled(handle) {
      for (;;) {
        const changedAt = lastChange.get(handle);
        if (changedAt === undefined || changedAt === 0) return;
        const remaining = changedAt + SYNC_THROTTLE_MS + TIMER_SLACK_MS - performance.now();
        if (remaining <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, remaining));
      }
    },
  };
  installed.set(synchronizer, tracker);
  return tracker;
}
