import type { DocHandle, PeerId } from "@automerge/automerge-repo/slim";
import { Repo } from "@automerge/automerge-repo/slim";
import { BroadcastChannelNetworkAdapter } from "@automerge/automerge-repo-network-broadcastchannel";
import {
  isPresenceMessage,
  isStoredHeadsMessage,
  messageOf,
  type PresenceMessage,
  peerIdFor,
} from "@outpost/shared-model";
import { indexCacheName } from "../fleet-index/index-cache.js";
import { checkToken, type Session, syncUrl } from "../session/session.js";
import { makeLogger } from "../ui/logger.js";
import { ClosableIndexedDBStorage } from "./closable-indexeddb-storage.js";
import { PendingChanges } from "./pending-changes.js";
import { PresenceBoard } from "./presence-board.js";
import { RelayConnection } from "./relay-connection.js";

const log = makeLogger("replica");

/**
 * The dashboard's own replica (ARCHITECTURE.md, "The dashboard"): an automerge-repo Repo over
 * IndexedDB, linked to the relay by websocket and to the admin's other tabs by BroadcastChannel.
 * Everything the app shows comes from here, so it works the same online and offline.
 */
export interface Replica {
  readonly session: Session;
  readonly repo: Repo;
  readonly connection: RelayConnection;
  /** Documents holding this admin's changes that the relay has not stored yet. */
  readonly pending: PendingChanges;
  /** Agents heard lately (presence heartbeats). */
  readonly presence: PresenceBoard;
  /** Local changes still being written to IndexedDB (0 when everything is saved here). */
  savingCount(): number;
  /** Calls `listener` when {@link savingCount} changes; returns the unsubscribe function. */
  onSaving(listener: () => void): () => void;
  /** Listens to a handle's acknowledgements and heartbeats (once per handle). */
  watch(handle: DocHandle<unknown>): void;
  /** Changes a document as this admin, and notes the change as not yet stored by the relay. */
  change<T>(handle: DocHandle<T>, change: (doc: T) => void): void;
  /** Stops syncing and closes the storage. */
  close(): Promise<void>;
}

/** The names under which one admin's replica of one relay lives in this browser. */
export function replicaNames(session: Pick<Session, "relayUrl" | "admin">): {
  database: string;
  channel: string;
  pendingKey: string;
} {
  const scope = `${new URL(session.relayUrl).host}/${session.admin}`;
  return {
    database: `outpost:${scope}`,
    channel: `outpost:${scope}`,
    pendingKey: `outpost.pending:${scope}`,
  };
}

/** Opens the replica for a signed-in session; the relay is connected in the background. */
export function openReplica(session: Session): Replica {
  const names = replicaNames(session);
  const connection = new RelayConnection(syncUrl(session), {
    checkToken: () => checkToken(session),
  });
  // One peer per tab: the relay binds `admin:<name>:<session>` to the token's admin.
  const peerId = peerIdFor(
    { kind: "admin", name: session.admin },
    crypto.randomUUID().replaceAll("-", ""),
  ) as PeerId;
  const storage = new ClosableIndexedDBStorage(names.database);
  const repo = new Repo({
    peerId,
    storage,
    network: [connection, new BroadcastChannelNetworkAdapter({ channelName: names.channel })],
  });
  const pending = new PendingChanges(names.pendingKey);
  const presence = new PresenceBoard();
  const watched = new WeakSet<DocHandle<unknown>>();
  let saving = 0;
  const savingListeners = new Set<() => void>();
  const setSaving = (count: number) => {
    saving = count;
    for (const listener of savingListeners) listener();
  };
  const onOnline = () => connection.retryNow();
  // Last chance for anything still in automerge-repo's save debounce.
  const onPageHide = () => void repo.flush().catch(() => {});
  window.addEventListener("pagehide", onPageHide);
  let closing: Promise<void> | undefined;
  window.addEventListener("online", onOnline);

  const watch = (handle: DocHandle<unknown>) => {
    if (watched.has(handle)) return;
    watched.add(handle);
    handle.on("ephemeral-message", ({ senderId, message }) => {
      if (isStoredHeadsMessage(message)) {
        // Only the relay we signed in to may say what is on its disk: others' messages are
        // forwarded too.
        if (senderId === session.relayPeerId && message.documentId === handle.documentId) {
          pending.acknowledge(handle, message.heads);
        }
      } else if (isPresenceMessage(message) && senderIsDevice(senderId, message)) {
        presence.heard(message.deviceId, Date.now());
      }
    });
  };

  return {
    session,
    repo,
    connection,
    pending,
    presence,
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
      // automerge-repo saves after a debounce; an admin who edits and closes the tab at once
      // must not lose the edit, so it goes to IndexedDB now.
      setSaving(saving + 1);
      void repo
        .flush([handle.documentId])
        .catch((error: unknown) => {
          log.error(`could not save a change in this browser: ${messageOf(error)}`);
        })
        .finally(() => setSaving(saving - 1));
    },
    close() {
      closing ??= (async () => {
        window.removeEventListener("online", onOnline);
        window.removeEventListener("pagehide", onPageHide);
        await repo.shutdown();
        await storage.close();
      })();
      return closing;
    },
  };
}

/** A heartbeat counts only from the device it names (any peer could forward a forged one). */
function senderIsDevice(senderId: string, message: PresenceMessage): boolean {
  return senderId.startsWith(`device:${message.deviceId}:`);
}

/**
 * Deletes this admin's local replica of the session's relay (sign-out), and the fleet index's
 * cache of it (ARCHITECTURE.md, "The fleet index").
 */
export async function deleteReplica(session: Pick<Session, "relayUrl" | "admin">): Promise<void> {
  const names = replicaNames(session);
  localStorage.removeItem(names.pendingKey);
  await Promise.all([
    deleteDatabase(names.database),
    deleteDatabase(indexCacheName(names.database)),
  ]);
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error("could not delete local data"));
    // Another tab still has it open: it is deleted once that tab closes.
    request.onblocked = () => {
      log.warn("this browser's copy is deleted once the other Outpost tabs close");
      resolve();
    };
  });
}
