import * as A from "@automerge/automerge";
import {
  type Actor,
  createDeviceDoc,
  type DeviceDoc,
  enqueueCommand,
  type FactInput,
  type FleetDevice,
  type Inventory,
  newCommandId,
  parseDay,
  parseDeviceId,
  recordFact,
  startOfDay,
  summarizeDevice,
} from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { rowOf, rowOfSummary } from "./fleet-row.js";

const deviceId = parseDeviceId("laptop-042");
const entry: FleetDevice = {
  deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
  hostname: "enrolled-name",
  enrolledAt: 1_700_000_000_000,
};
const admin: Actor = { by: "admin:alice", at: 1_000 };
const agent: Actor = { by: `agent:${deviceId}`, at: 2_000 };
const outcome = { exitCode: 1, durationMs: 40 };

const inventory: Inventory = {
  collectedAt: 0,
  hostname: "laptop-042.example",
  os: { platform: "linux", distro: "Ubuntu", release: "24.04", arch: "x64", kernel: "6.8" },
  hardware: {
    manufacturer: "Lenovo",
    model: "T14",
    serial: "s",
    cpu: "c",
    cores: 8,
    memoryMiB: 16_384,
  },
  disks: [],
  nics: [],
  software: { count: 0, sample: [] },
};

/** A command that went through `facts`, one Automerge change per write as in the app. */
function withCommand(doc: A.Doc<DeviceDoc>, facts: FactInput[]): A.Doc<DeviceDoc> {
  const commandId = newCommandId();
  let next = A.change(doc, (d) => {
    enqueueCommand(d, { kind: "inventory.collect", id: commandId }, admin);
  });
  for (const fact of facts) {
    next = A.change(next, (d) => void recordFact(d, commandId, fact, agent));
  }
  return next;
}

describe("rowOf", () => {
  it("builds the row from the fleet entry alone until the DeviceDoc is here", () => {
    expect(rowOf(deviceId, entry, undefined)).toEqual({
      deviceId,
      deviceDocUrl: entry.deviceDocUrl,
      hostname: "enrolled-name",
      loaded: false,
      source: "fleet",
      health: "unknown",
      healthReasons: [],
      pendingCommands: 0,
      failedCommands: 0,
      lifecycle: "",
      assignee: "",
      location: "",
      tags: [],
      os: "",
      model: "",
      enrolledAt: entry.enrolledAt,
    });
  });

  it("carries the FleetDoc's revocation, with or without the DeviceDoc, and ignores a malformed one", () => {
    const revoked = { ...entry, revokedAt: 1_700_000_100_000 };
    expect(rowOf(deviceId, revoked, undefined).revokedAt).toBe(1_700_000_100_000);
    expect(rowOf(deviceId, revoked, A.from(createDeviceDoc(deviceId))).revokedAt).toBe(
      1_700_000_100_000,
    );
    const malformed = { ...entry, revokedAt: "yesterday" } as unknown as FleetDevice;
    expect(rowOf(deviceId, malformed, undefined)).not.toHaveProperty("revokedAt");
  });

  it("reads a fresh DeviceDoc: asset defaults, no inventory, no telemetry", () => {
    const row = rowOf(deviceId, entry, A.from(createDeviceDoc(deviceId)));
    expect(row).toMatchObject({
      loaded: true,
      hostname: "enrolled-name",
      lifecycle: "deployed",
      health: "unknown",
      os: "",
      model: "",
    });
    expect(row.lastSampleDay).toBeUndefined();
    expect(row.damaged).toBeUndefined();
  });

  it("counts waiting and running commands as pending, ended-without-the-work as failed", () => {
    let doc = A.from(createDeviceDoc(deviceId));
    doc = withCommand(doc, []);
    doc = withCommand(doc, [{ type: "accepted" }, { type: "deferred", reason: "load" }]);
    doc = withCommand(doc, [{ type: "accepted" }, { type: "started", attempt: 1 }]);
    doc = withCommand(doc, [
      { type: "started", attempt: 1 },
      { type: "failed", outcome },
    ]);
    doc = withCommand(doc, [{ type: "rejected", reason: "unknown kind" }]);
    doc = withCommand(doc, [{ type: "started", attempt: 1 }, { type: "interrupted" }]);
    doc = withCommand(doc, [
      { type: "started", attempt: 1 },
      { type: "succeeded", outcome },
    ]);
    doc = withCommand(doc, [{ type: "cancelled" }]);
    const row = rowOf(deviceId, entry, doc);
    expect(row.pendingCommands).toBe(3);
    expect(row.failedCommands).toBe(3);
  });

  it("takes asset, inventory, health and the newest telemetry day from the DeviceDoc", () => {
    const doc = A.change(A.from(createDeviceDoc(deviceId)), (d) => {
      d.inventory = structuredClone(inventory);
      d.asset.lifecycle = "in-repair";
      d.asset.assignee = "Alice Martin";
      d.asset.location = "Berlin";
      d.asset.tags.push("finance", "loaner");
      d.telemetry[parseDay("2026-03-01")] = {
        url: "automerge:a",
        samples: 8_640,
        rollup: { disk: { min: 90, avg: 91, max: 96, count: 8_640 } },
      };
      d.telemetry[parseDay("2026-03-02")] = { url: "automerge:b", samples: 10 };
    });
    expect(rowOf(deviceId, entry, doc)).toMatchObject({
      loaded: true,
      hostname: "laptop-042.example",
      lifecycle: "in-repair",
      assignee: "Alice Martin",
      location: "Berlin",
      tags: ["finance", "loaner"],
      os: "Ubuntu 24.04",
      model: "Lenovo T14",
      health: "critical",
      healthReasons: ["disk 96 % full"],
      lastSampleDay: startOfDay(parseDay("2026-03-02")),
    });
  });

  it("shows a shard's summary of a DeviceDoc as the DeviceDoc itself would be shown", () => {
    let doc = A.change(A.from(createDeviceDoc(deviceId)), (d) => {
      d.inventory = structuredClone(inventory);
      d.asset.assignee = "Alice Martin";
      d.telemetry[parseDay("2026-03-01")] = {
        url: "automerge:a",
        samples: 8_640,
        rollup: { cpu: { min: 90, avg: 91, max: 96, count: 8_640 } },
      };
    });
    doc = withCommand(doc, [{ type: "rejected", reason: "unknown kind" }]);
    const fromShard = rowOfSummary(deviceId, entry, summarizeDevice(doc));
    expect(fromShard).toEqual({ ...rowOf(deviceId, entry, doc), source: "summary" });
    expect(fromShard).toMatchObject({ loaded: true, health: "warning", failedCommands: 1 });
  });

  it("marks a malformed document damaged instead of throwing", () => {
    const withoutSpec = {
      ...createDeviceDoc(deviceId),
      commands: { "cmd-1234": { events: [] } },
    } as unknown as DeviceDoc;
    const inventoryWithoutOs = {
      ...createDeviceDoc(deviceId),
      inventory: { hostname: "half" },
    } as unknown as DeviceDoc;
    for (const doc of [withoutSpec, inventoryWithoutOs]) {
      const row = rowOf(deviceId, entry, doc);
      expect(row.loaded).toBe(true);
      expect(row.damaged).toEqual(expect.any(String));
      expect(row.damaged).not.toBe("");
      expect(row.hostname).toBe("enrolled-name");
      expect(row.pendingCommands).toBe(0);
    }
  });
});
