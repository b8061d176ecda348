import type { DocHandle, PeerId } from "@automerge/automerge-repo/slim";
import { Repo } from "@automerge/automerge-repo/slim";
import { type DeviceId, type FleetDoc, parseDeviceId, toPlain } from "@outpost/shared-model";
import { afterEach, describe, expect, it } from "vitest";
import { ClosableIndexedDBStorage } from "../sync/closable-indexeddb-storage.js";
import { storeFleetWithOneShard } from "../testing/stored-fleet.js";
import type { FleetIndexMessage } from "./fleet-index-messages.js";
import { indexCacheName } from "./index-cache.js";
import { loadStoredDocument } from "./load-stored-document.js";
import { readFleetIndex } from "./read-fleet-index.js";

const DEVICES = ["lt-0001", "lt-0002"].map(parseDeviceId);
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A replica in (fake) IndexedDB, as the app's: a FleetDoc with one summary shard, saved. */
async function storedReplica() {
  const database = `outpost:test/${crypto.randomUUID()}`;
  const storage = new ClosableIndexedDBStorage(database);
  const repo = new Repo({ peerId: "admin:alice:test" as PeerId, storage, network: [] });
  closers.push(async () => {
    await repo.shutdown();
    await storage.close();
  });
  const { fleet, shard } = await storeFleetWithOneShard(repo, DEVICES, 7);
  return { database, repo, fleet, shard };
}

async function read(database: string, fleet: DocHandle<FleetDoc>): Promise<FleetIndexMessage[]> {
  const messages: FleetIndexMessage[] = [];
  await readFleetIndex(
    { type: "read", database, fleetDocumentId: fleet.documentId },
    async (chunks) => loadStoredDocument(chunks),
    (message) => messages.push(message),
  );
  return messages;
}

describe("readFleetIndex", () => {
  it("reads the FleetDoc and its shards from storage, then from its cache until storage changes", async () => {
    const { database, repo, fleet, shard } = await storedReplica();
    const first = await read(database, fleet);

    expect(first.map((message) => message.type)).toEqual(["fleet", "shard", "done"]);
    expect(first[0]).toEqual({
      type: "fleet",
      content: {
        devices: Object.fromEntries(
          DEVICES.map((id) => [id, toPlain(fleet.doc().devices[id as DeviceId])]),
        ),
        summaries: { shardCount: 1, shards: [shard.url] },
      },
    });
    const summaries = Object.fromEntries(
      DEVICES.map((id) => [id, toPlain(shard.doc().devices[id as DeviceId])]),
    );
    expect(first[1]).toEqual({
      type: "shard",
      url: shard.url,
      content: { summaries, problems: [] },
    });
    expect(first[2]).toEqual({ type: "done", cachedDocuments: 0, readDocuments: 2 });

    const second = await read(database, fleet);
    expect(second.slice(0, 2)).toEqual(first.slice(0, 2));
    expect(second[2]).toEqual({ type: "done", cachedDocuments: 2, readDocuments: 0 });

    // A tampered entry, saved: the shard is read again, and the entry left out with its path.
    shard.change((doc) => {
      (
        doc.devices[DEVICES[1] as DeviceId] as unknown as { pendingCommands: string }
      ).pendingCommands = "many";
    });
    await repo.flush();
    const third = await read(database, fleet);
    expect(third[2]).toEqual({ type: "done", cachedDocuments: 1, readDocuments: 1 });
    const tampered = third[1];
    if (tampered?.type !== "shard") throw new Error(`expected a shard, got ${tampered?.type}`);
    expect(Object.keys(tampered.content.summaries)).toEqual([DEVICES[0]]);
    expect(tampered.content.problems).toEqual([
      expect.stringContaining(`devices.${DEVICES[1]}.pendingCommands`),
    ]);
  });

  it("says a shard the replica lacks is missing", async () => {
    const { database, repo, fleet } = await storedReplica();
    fleet.change((doc) => {
      doc.summaries?.shards.push("automerge:2Z3DLkpY5dcqPDmvBrnvBTaP6Nxm");
    });
    await repo.flush();
    const messages = await read(database, fleet);
    // Shards come as they are read, in any order.
    expect(messages.map((message) => message.type).sort()).toEqual([
      "done",
      "fleet",
      "missing",
      "shard",
    ]);
    expect(messages).toContainEqual({
      type: "missing",
      what: "automerge:2Z3DLkpY5dcqPDmvBrnvBTaP6Nxm",
    });
    expect(messages.at(-1)?.type).toBe("done");
  });

  it("says the fleet is missing from a browser with no replica, and creates no database", async () => {
    const database = `outpost:test/${crypto.randomUUID()}`;
    const messages: FleetIndexMessage[] = [];
    await readFleetIndex(
      { type: "read", database, fleetDocumentId: "2Z3DLkpY5dcqPDmvBrnvBTaP6Nxm" },
      async () => {
        throw new Error("nothing to load");
      },
      (message) => messages.push(message),
    );
    expect(messages).toEqual([
      { type: "missing", what: "fleet" },
      { type: "done", cachedDocuments: 0, readDocuments: 0 },
    ]);
    const names = (await indexedDB.databases()).map((known) => known.name);
    expect(names).not.toContain(database);
    expect(names).not.toContain(indexCacheName(database));
  });
});
