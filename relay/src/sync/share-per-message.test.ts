/**
 * The relay's repo must not do work per connected peer for every message (patches/README.md,
 * the `announcesNothing` hunk of patches/@automerge+automerge-repo+2.5.6.patch). Stock
 * automerge-repo 2.5.6 asks `announce` and `access` about every connected peer on every sync
 * message, and loads a document to pass on an ephemeral message (an agent's heartbeat): at
 * 10,000 connected agents that was 20,000 awaits per message and a document load per heartbeat.
 *
 * The relay's repo (createRelayRepo) is driven through a scripted network adapter, as peers on
 * the other end would; `access` counts the questions it is asked.
 */
import * as A from "@automerge/automerge";
import {
  type Chunk,
  type DocumentId,
  generateAutomergeUrl,
  type Message,
  type PeerId,
  parseAutomergeUrl,
  type Repo,
  type StorageAdapterInterface,
  type StorageKey,
} from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { ScriptedNetwork } from "../testing/scripted-network.js";
import { createRelayRepo } from "./relay-repo.js";

/** Storage in memory: what is stored does not matter here. */
class MemoryStorage implements StorageAdapterInterface {
  readonly #data = new Map<string, Uint8Array>();
  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#data.get(key.join("/"));
  }
  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#data.set(key.join("/"), data);
  }
  async remove(key: StorageKey): Promise<void> {
    this.#data.delete(key.join("/"));
  }
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const start = prefix.join("/");
    return [...this.#data]
      .filter(([key]) => key.startsWith(start))
      .map(([key, data]) => ({ key: key.split("/"), data }));
  }
  async removeRange(prefix: StorageKey): Promise<void> {
    for (const chunk of await this.loadRange(prefix)) this.#data.delete(chunk.key.join("/"));
  }
}

const PEERS = 50;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const newDocumentId = () => parseAutomergeUrl(generateAutomergeUrl()).documentId;

let repo: Repo | undefined;
afterEach(async () => {
  await repo?.shutdown();
  repo = undefined;
});

/** The relay's repo with `PEERS` connected peers; `access` grants all and counts. */
function relayWithPeers() {
  const network = new ScriptedNetwork();
  const asked: { peerId: PeerId; documentId: DocumentId }[] = [];
  repo = createRelayRepo({
    storage: new MemoryStorage(),
    network,
    peerId: "relay" as PeerId,
    access: async (peerId, documentId) => {
      asked.push({ peerId, documentId });
      return true;
    },
  });
  const peers = Array.from({ length: PEERS }, (_, index) => `device:d${index}` as PeerId);
  for (const peerId of peers) network.emit("peer-candidate", { peerId, peerMetadata: {} });
  return { network, asked, peers, repo };
}

/** A sync message carrying all of `doc`'s changes (as after a first round trip with the relay). */
function syncMessage(senderId: PeerId, documentId: DocumentId, doc: A.Doc<unknown>): Message {
  const [ours, hello] = A.generateSyncMessage(doc, A.initSyncState());
  const [, theirs] = A.receiveSyncMessage(A.init(), A.initSyncState(), hello as Uint8Array);
  const [, reply] = A.generateSyncMessage(A.init(), theirs);
  const [copy, afterReply] = A.receiveSyncMessage(A.clone(doc), ours, reply as Uint8Array);
  const [, data] = A.generateSyncMessage(copy, afterReply);
  return {
    type: "sync",
    senderId,
    targetId: "relay" as PeerId,
    documentId,
    data: data as Uint8Array,
  };
}

describe("the relay's repo with many connected peers", () => {
  it("asks access about the sender of a sync message, not about every connected peer", async () => {
    const { network, asked, peers } = relayWithPeers();
    const [device] = peers as [PeerId];
    const documentId = newDocumentId();
    let doc = A.from<{ samples: number[] }>({ samples: [] });
    network.emit("message", syncMessage(device, documentId, doc));
    await settle();
    asked.length = 0;

    doc = A.change(doc, (draft) => {
      draft.samples.push(1);
    });
    network.emit("message", syncMessage(device, documentId, doc));
    await settle();
    // Stock automerge-repo: the sender, then all 50 peers again (51).
    expect(asked.map(({ peerId }) => peerId)).toEqual([device]);
  });

  it("passes a heartbeat on to the peers syncing its document", async () => {
    const { network, peers } = relayWithPeers();
    const [device, dashboard] = peers as [PeerId, PeerId];
    const documentId = newDocumentId();
    const doc = A.from({ deviceId: "d0" });
    network.emit("message", syncMessage(device, documentId, doc));
    network.emit("message", {
      type: "request",
      senderId: dashboard,
      targetId: "relay" as PeerId,
      documentId,
      data: A.generateSyncMessage(A.init(), A.initSyncState())[1] as Uint8Array,
    });
    await settle();
    network.sent.length = 0;

    network.emit("message", heartbeat(device, documentId));
    await settle();
    const forwarded = network.sent.filter((message) => message.type === "ephemeral");
    expect(forwarded.map((message) => message.targetId)).toEqual([dashboard]);
  });

  it("passes on a heartbeat without loading its document", async () => {
    const { network, peers, repo } = relayWithPeers();
    const [device] = peers as [PeerId];
    const documentId = newDocumentId();

    network.emit("message", heartbeat(device, documentId));
    await settle();
    // Stock automerge-repo finds (loads) the document first.
    expect(repo.handles[documentId]).toBeUndefined();
    expect(network.sent.filter((message) => message.type === "ephemeral")).toEqual([]);
  });
});

function heartbeat(senderId: PeerId, documentId: DocumentId): Message {
  return {
    type: "ephemeral",
    senderId,
    targetId: "relay" as PeerId,
    documentId,
    sessionId: "session",
    count: 1,
    data: new Uint8Array([0xa1, 0x61, 0x74, 0x61, 0x70]), // CBOR {"t": "p"}
  } as Message;
}
