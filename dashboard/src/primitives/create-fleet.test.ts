import type { AutomergeUrl, DocHandle, PeerId } from "@automerge/automerge-repo/slim";
import { Repo } from "@automerge/automerge-repo/slim";
import {
  createDeviceDoc,
  createFleetSummaryDoc,
  type DeviceId,
  type FleetDoc,
  type FleetSummaryDoc,
  parseDeviceId,
  summarizeDevice,
  writeSummary,
} from "@outpost/shared-model";
import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClosableIndexedDBStorage } from "../sync/closable-indexeddb-storage.js";
import type { ConnectionState } from "../sync/relay-connection.js";
import { type Replica, replicaNames } from "../sync/replica.js";
import { openInPageFleetIndex } from "../testing/in-page-fleet-index.js";
import { storeFleetWithOneShard } from "../testing/stored-fleet.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { createFleet } from "./create-fleet.js";

const DEVICE = parseDeviceId("lt-0001-abcdef");

afterEach(() => {
  vi.useRealTimers();
});

describe("createFleet", () => {
  it("tries again, while connected, to load a DeviceDoc the relay was slow to give", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const replica = makeTestReplica();
    const device = replica.repo.create(createDeviceDoc(DEVICE));
    const fleet = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
    fleet.change((doc) => {
      doc.devices[DEVICE as DeviceId] = {
        deviceDocUrl: device.url,
        hostname: "lt-0001",
        enrolledAt: 1,
      };
    });
    // The first two finds of the DeviceDoc fail, as automerge-repo's do when no peer answers
    // in time; the third finds it.
    let refusals = 2;
    const find = replica.repo.find.bind(replica.repo);
    // Only what createFleet uses of the connection and the repo: connected, and a slow find.
    const connected = { kind: "connected", relayPeerId: "relay:test" } as ConnectionState;
    const withRelay = {
      ...replica,
      connection: { state: connected, onStateChange: () => () => {} },
      repo: {
        find: (url: AutomergeUrl) => {
          if (url === device.url && refusals > 0) {
            refusals -= 1;
            return Promise.reject(new Error(`Document ${url} is unavailable`));
          }
          return find(url);
        },
      },
    } as unknown as Replica;

    const { loaded, dispose } = createRoot((dispose) => {
      const rows = createFleet(withRelay);
      return { loaded: () => rows.handleOf(DEVICE) as DocHandle<unknown> | undefined, dispose };
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(loaded()).toBeUndefined();
    // Tried 2 s later, then as long after as it has been missing: the third try finds it.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(loaded()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(loaded()?.url).toBe(device.url);
    expect(refusals).toBe(0);
    dispose();
    await replica.close();
  });

  it("marks the row of a device an admin revoked, keeping its DeviceDoc", async () => {
    const replica = makeTestReplica();
    const fleetDoc = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
    fleetDoc.change((doc) => {
      doc.devices[DEVICE as DeviceId] = {
        deviceDocUrl: replica.repo.create(createDeviceDoc(DEVICE)).url,
        hostname: "lt-0001",
        enrolledAt: 1,
      };
    });
    const { fleet, dispose } = createRoot((dispose) => ({ fleet: createFleet(replica), dispose }));
    await vi.waitFor(() => expect(fleet.row(DEVICE)?.loaded).toBe(true));
    const handle = fleet.handleOf(DEVICE);
    expect(fleet.row(DEVICE)?.revokedAt).toBeUndefined();

    fleetDoc.change((doc) => {
      const entry = doc.devices[DEVICE as DeviceId];
      if (entry) entry.revokedAt = 5_000;
    });
    await vi.waitFor(() => expect(fleet.row(DEVICE)?.revokedAt).toBe(5_000));
    expect(fleet.row(DEVICE)?.loaded).toBe(true);
    expect(fleet.handleOf(DEVICE)).toBe(handle);
    dispose();
    await replica.close();
  });

  it("drops the row of a device removed from the FleetDoc, without a reload", async () => {
    const replica = makeTestReplica();
    const fleetDoc = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
    const other = parseDeviceId("lt-0002-abcdef");
    fleetDoc.change((doc) => {
      for (const id of [DEVICE, other]) {
        doc.devices[id as DeviceId] = {
          deviceDocUrl: replica.repo.create(createDeviceDoc(id)).url,
          hostname: id,
          enrolledAt: 1,
        };
      }
    });
    const { fleet, dispose } = createRoot((dispose) => ({ fleet: createFleet(replica), dispose }));
    await vi.waitFor(() =>
      expect(
        fleet
          .rows()
          .map((row) => row.deviceId)
          .sort(),
      ).toEqual([DEVICE, other]),
    );
    fleetDoc.change((doc) => {
      delete doc.devices[DEVICE as DeviceId];
    });
    await vi.waitFor(() => expect(fleet.rows().map((row) => row.deviceId)).toEqual([other]));
    expect(fleet.row(DEVICE)).toBeUndefined();
    expect(fleet.handleOf(DEVICE)).toBeUndefined();
    dispose();
    await replica.close();
  });

  it("fills every row from the summary shards without loading DeviceDocs", async () => {
    const replica = makeTestReplica();
    const fleetDoc = await replica.repo.find<FleetDoc>(replica.session.fleetDocUrl);
    const shard = replica.repo.create<FleetSummaryDoc>(createFleetSummaryDoc(0, 1));
    const ids = ["lt-0001", "lt-0002", "lt-0003"].map(parseDeviceId);
    const docs = new Map<string, DocHandle<ReturnType<typeof createDeviceDoc>>>();
    for (const [position, id] of ids.entries()) {
      const device = replica.repo.create(createDeviceDoc(id));
      device.change((doc) => {
        doc.asset.assignee = `assignee ${position}`;
      });
      docs.set(id, device);
      shard.change((doc) => void writeSummary(doc, id, summarizeDevice(device.doc())));
    }
    // A tampered entry: its row falls back to the device's own DeviceDoc.
    shard.change((doc) => {
      (doc.devices[ids[2] as DeviceId] as unknown as { pendingCommands: string }).pendingCommands =
        "many";
    });
    fleetDoc.change((doc) => {
      for (const id of ids) {
        doc.devices[id] = {
          deviceDocUrl: docs.get(id)?.url as string,
          hostname: id,
          enrolledAt: 1,
        };
      }
      doc.summaries = { shardCount: 1, shards: [shard.url] };
    });
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { fleet, dispose } = createRoot((dispose) => ({ fleet: createFleet(replica), dispose }));
    await vi.waitFor(() => {
      const rows = fleet.rows();
      expect(rows).toHaveLength(3);
      expect(rows.every((row) => row.loaded)).toBe(true);
    });
    expect(fleet.row(ids[0] as string)).toMatchObject({
      source: "summary",
      assignee: "assignee 0",
    });
    expect(fleet.handleOf(ids[0] as string)).toBeUndefined();
    await vi.waitFor(() =>
      expect(fleet.row(ids[2] as string)).toMatchObject({ source: "device", pendingCommands: 0 }),
    );
    expect(warnings).toHaveBeenCalledWith(
      "[outpost:fleet]",
      expect.stringContaining(`devices.${ids[2]}.pendingCommands: expected number`),
    );

    // This admin's own (offline) change: the row is the DeviceDoc's at once, not the shard's.
    const first = docs.get(ids[0] as string) as DocHandle<ReturnType<typeof createDeviceDoc>>;
    replica.change(first, (doc) => {
      doc.asset.assignee = "changed here";
    });
    await vi.waitFor(() =>
      expect(fleet.row(ids[0] as string)).toMatchObject({
        source: "device",
        assignee: "changed here",
      }),
    );
    warnings.mockRestore();
    dispose();
    await replica.close();
  });

  it("draws every row from the fleet index offline, never finding the FleetDoc or a shard", async () => {
    // What an earlier visit left in this browser's IndexedDB: the FleetDoc and a shard.
    const relayUrl = `https://relay-${crypto.randomUUID()}.test`;
    const storage = new ClosableIndexedDBStorage(
      replicaNames({ relayUrl, admin: "alice" }).database,
    );
    const stored = new Repo({ peerId: "admin:alice:earlier" as PeerId, storage, network: [] });
    const ids = ["lt-0001", "lt-0002"].map(parseDeviceId);
    const { fleet: fleetDoc } = await storeFleetWithOneShard(stored, ids, 1);
    await stored.shutdown();
    await storage.close();

    const replica = makeTestReplica({ relayUrl, fleetDocUrl: fleetDoc.url });
    const found: string[] = [];
    const find = replica.repo.find.bind(replica.repo);
    const offline = {
      ...replica,
      repo: {
        find: (url: AutomergeUrl) => {
          found.push(url);
          return find(url);
        },
      },
    } as unknown as Replica;
    const { fleet, dispose } = createRoot((dispose) => ({
      fleet: createFleet(offline, { openIndex: openInPageFleetIndex }),
      dispose,
    }));
    await vi.waitFor(() => {
      expect(fleet.rows()).toHaveLength(2);
      expect(fleet.rows().every((row) => row.loaded)).toBe(true);
    });
    expect(fleet.status()).toBe("ready");
    expect(fleet.row(ids[1] as string)).toMatchObject({
      source: "summary",
      assignee: `assignee of ${ids[1]}`,
      enrolledAt: 1,
    });
    expect(found).toEqual([]);
    dispose();
    await replica.close();
  });
});
