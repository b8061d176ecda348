import type {
  DocumentId,
  NetworkAdapterInterface,
  PeerId,
  RepoConfig,
  StorageAdapterInterface,
} from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { MAX_ACK_WAIT_MS } from "./durable-acks.js";

/**
 * automerge-repo saves a changed document on its own, throttled. The durable ack flushes every
 * changed document within MAX_ACK_WAIT_MS anyway; with the throttle longer than that, the repo's
 * save finds the heads already stored and writes nothing, instead of writing the same state a
 * second time next to the ack's flush.
 */
const SAVE_THROTTLE_MS = 2 * MAX_ACK_WAIT_MS;

/**
 * `announcesNothing` is read by our automerge-repo patch (patches/README.md): the relay never
 * announces, so automerge-repo weighs only the peers that asked for a document instead of every
 * connected peer on every message, and passes ephemeral messages (heartbeats) on without loading
 * their document (ARCHITECTURE.md, "The relay").
 */
type RelayShareConfig = NonNullable<RepoConfig["shareConfig"]> & {
  readonly announcesNothing: true;
};

/**
 * The relay's automerge-repo peer (ARCHITECTURE.md, "The relay"): it never announces a document to
 * a peer that did not ask, refuses the remote-heads gossip (it bypasses `access`), and lets
 * `access` decide every share.
 */
export function createRelayRepo(options: {
  storage: StorageAdapterInterface;
  network: NetworkAdapterInterface;
  peerId: PeerId;
  /** Whether `peerId` may have `documentId` (the relay's AccessPolicy). */
  access: (peerId: PeerId, documentId: DocumentId) => Promise<boolean>;
}): Repo {
  const shareConfig: RelayShareConfig = {
    announce: async () => false,
    access: options.access,
    announcesNothing: true,
  };
  return new Repo({
    storage: options.storage,
    network: [options.network],
    peerId: options.peerId,
    enableRemoteHeadsGossiping: false,
    saveDebounceRate: SAVE_THROTTLE_MS,
    shareConfig,
  });
}
