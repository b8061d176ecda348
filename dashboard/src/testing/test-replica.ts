/**
 * Test support: a real {@link Replica} for component tests, with nothing outside the page (no
 * network, no IndexedDB). Never imported by product code.
 */
import type { AutomergeUrl, DocHandle, PeerId } from "@automerge/automerge-repo/slim";
import { Repo } from "@automerge/automerge-repo/slim";
import { createFleetDoc, peerIdFor } from "@outpost/shared-model";
import { type Session, syncUrl } from "../session/session.js";
import { PendingChanges } from "../sync/pending-changes.js";
import { PresenceBoard } from "../sync/presence-board.js";
import { RelayConnection } from "../sync/relay-connection.js";
import type { Replica } from "../sync/replica.js";

/** What a test may choose about the replica; everything has a default. */
export interface TestReplicaOptions {
  /** The signed-in admin's name (`alice` writes as `admin:alice`). */
  admin?: string;
  /** The relay's origin, only used to build the (never opened) sync URL. */
  relayUrl?: string;
  /** The fleet document; a fresh empty FleetDoc in the replica's repo otherwise. */
  fleetDocUrl?: AutomergeUrl;
}

/**
 * A real replica as `openReplica` builds it, minus the outside world: a Repo with no
 * network adapter and no storage, a {@link RelayConnection} that is constructed but never
 * connected (its state stays `stopped`), {@link PendingChanges} kept in `sessionStorage` under a
 * key of its own (so replicas never see each other's entries), and an empty
 * {@link PresenceBoard}. `change()` does what the app's does: it changes the handle, records the
 * document as pending and counts the save while `repo.flush` runs.
 *
 * No acknowledgement or heartbeat can arrive without a network, so `watch()` only notes the
 * handle; a test plays the relay or an agent by calling `pending.acknowledge` or
 * `presence.heard` itself. Call `close()` after the test.
 */
export function makeTestReplica(options: TestReplicaOptions = {}): Replica & {
  /** The handles {@link Replica.watch} was given, in order, each once. */
  readonly watched: readonly DocHandle<unknown>[];
} {
  const admin = options.admin ?? "alice";
  const repo = new Repo({
    peerId: peerIdFor({ kind: "admin", name: admin }, randomSession()) as PeerId,
    network: [],
  });
  const session: Session = {
    relayUrl: options.relayUrl ?? "https://relay.test",
    token: "test-token",
    admin,
    fleetDocUrl: options.fleetDocUrl ?? repo.create(createFleetDoc()).url,
    relayPeerId: `relay:${randomSession()}`,
    signedInAt: Date.now(),
  };
  const connection = new RelayConnection(syncUrl(session), {
    checkToken: async () => "unknown",
  });
  const pendingKey = `outpost.pending:test/${randomSession()}`;
  sessionStorage.removeItem(pendingKey);
  const pending = new PendingChanges(pendingKey, sessionStorage);
  const presence = new PresenceBoard();
  const watched: DocHandle<unknown>[] = [];
  let saving = 0;
  const savingListeners = new Set<() => void>();
  const setSaving = (count: number) => {
    saving = count;
    for (const listener of savingListeners) listener();
  };
  const watch = (handle: DocHandle<unknown>) => {
    if (!watched.includes(handle)) watched.push(handle);
  };
  let closing: Promise<void> | undefined;

  return {
    session,
    repo,
    connection,
    pending,
    presence,
    watched,
    watch,
    savingCount: () => saving,
    onSaving(listener) {
      savingListeners.add(listener);
      return () => savingListeners.delete(listener);
    },
    change(handle, change) {
      watch(handle as DocHandle<unknown>);
      handle.change((doc) => change(doc as never));
      pending.record(handle as DocHandle<unknown>);
      setSaving(saving + 1);
      void repo.flush([handle.documentId]).finally(() => setSaving(saving - 1));
    },
    close() {
      closing ??= (async () => {
        await repo.shutdown();
        sessionStorage.removeItem(pendingKey);
      })();
      return closing;
    },
  };
}

/** A random peer-session suffix, as the app makes one per tab. */
function randomSession(): string {
  return crypto.randomUUID().replaceAll("-", "");
}
