import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import type { Actor } from "../actors/actor.js";
import type { FactInput } from "../commands/events.js";
import { enqueueCommand, recordFact } from "../commands/mutators.js";
import { createDeviceDoc } from "../documents/create.js";
import type { DeviceDoc, Inventory } from "../documents/device-doc.js";
import { createFleetSummaryDoc, type FleetSummaryDoc } from "../documents/fleet-summary-doc.js";
import { type Stored, toPlain } from "../documents/stored-strings.js";
import { newCommandId, parseDay, parseDeviceId } from "../ids/ids.js";
import { validateFleetSummaryDoc } from "../validation/fleet-summary-doc.js";
import { type DeviceSummary, emptySummary, summarizeDevice } from "./device-summary.js";
import { shardCountFor, shardOf } from "./shards.js";
import { sameSummary, writeSummary } from "./write-summary.js";

const deviceId = parseDeviceId("laptop-042");
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

function withCommand(doc: A.Doc<DeviceDoc>, facts: FactInput[]): A.Doc<DeviceDoc> {
  const commandId = newCommandId();
  let next = A.change(doc, (d) => {
    enqueueCommand(d, { kind: "inventory.collect", id: commandId }, admin);
  });
  for (const fact of facts)
    next = A.change(next, (d) => void recordFact(d, commandId, fact, agent));
  return next;
}

function described(): A.Doc<DeviceDoc> {
  return A.change(A.from(createDeviceDoc(deviceId)), (d) => {
    d.inventory = structuredClone(inventory);
    d.asset.lifecycle = "in-repair";
    d.asset.assignee = "Alice Martin";
    d.asset.tags.push("finance", "loaner");
    d.telemetry[parseDay("2026-03-01")] = {
      url: "automerge:a",
      samples: 8_640,
      rollup: { disk: { min: 90, avg: 91, max: 96, count: 8_640 } },
    };
    d.telemetry[parseDay("2026-03-02")] = { url: "automerge:b", samples: 10 };
  });
}

describe("summarizeDevice", () => {
  it("summarizes health, the newest day, asset and inventory, with the heads it read", () => {
    const doc = described();
    expect(summarizeDevice(doc)).toEqual({
      health: "critical",
      healthReasons: ["disk 96 % full"],
      lastSampleDay: "2026-03-02",
      pendingCommands: 0,
      failedCommands: 0,
      lifecycle: "in-repair",
      assignee: "Alice Martin",
      location: "",
      tags: ["finance", "loaner"],
      hostname: "laptop-042.example",
      os: "Ubuntu 24.04",
      model: "Lenovo T14",
      heads: A.getHeads(doc),
    });
  });

  it("counts waiting and running commands as pending, ended-without-the-work as failed", () => {
    let doc = A.from(createDeviceDoc(deviceId));
    doc = withCommand(doc, []);
    doc = withCommand(doc, [{ type: "accepted" }, { type: "started", attempt: 1 }]);
    doc = withCommand(doc, [
      { type: "started", attempt: 1 },
      { type: "failed", outcome },
    ]);
    doc = withCommand(doc, [{ type: "rejected", reason: "unknown kind" }]);
    doc = withCommand(doc, [{ type: "cancelled" }]);
    const summary = summarizeDevice(doc);
    expect(summary.pendingCommands).toBe(2);
    expect(summary.failedCommands).toBe(2);
  });

  it("says why a malformed document is damaged instead of throwing", () => {
    const broken = {
      ...createDeviceDoc(deviceId),
      commands: { "cmd-1234": { events: [] } },
    } as unknown as DeviceDoc;
    const summary = summarizeDevice(broken);
    expect(summary.damaged).toEqual(expect.any(String));
    expect({ ...summary, damaged: undefined }).toEqual({ ...emptySummary(), damaged: undefined });
  });

  it("keeps a hostile device's text short and ignores index keys that are no day", () => {
    const doc = A.change(A.from(createDeviceDoc(deviceId)), (d) => {
      d.inventory = { ...structuredClone(inventory), hostname: "x".repeat(100_000) };
      (d.telemetry as Record<string, unknown>)["9999-99-99-not-a-day"] = { url: "u", samples: 1 };
    });
    const summary = summarizeDevice(doc);
    expect(summary.hostname).toHaveLength(1_000);
    expect(summary.lastSampleDay).toBeUndefined();
  });
});

describe("writeSummary", () => {
  it("writes a new entry whole, then only the fields that changed, and nothing when none did", () => {
    let shard = A.from<FleetSummaryDoc>(createFleetSummaryDoc(0, 1));
    let doc = described();
    shard = A.change(shard, (s) => void writeSummary(s, deviceId, summarizeDevice(doc)));
    const before = A.getHeads(shard);
    // A policy edit changes the DeviceDoc but nothing the fleet shows.
    doc = A.change(doc, (d) => {
      d.policy.allowShell = { value: true, setBy: "admin:alice", setAt: 1 };
    });
    let wrote = true;
    shard = A.change(shard, (s) => {
      wrote = writeSummary(s, deviceId, summarizeDevice(doc));
    });
    expect(wrote).toBe(false);
    expect(A.getHeads(shard)).toEqual(before);
    doc = A.change(doc, (d) => {
      d.asset.assignee = "Bob";
      d.asset.tags.splice(0, 1);
    });
    shard = A.change(shard, (s) => void writeSummary(s, deviceId, summarizeDevice(doc)));
    const stored = shard.devices[deviceId] as Stored<DeviceSummary>;
    // Strings are scalars, one operation each, whatever their length.
    expect(A.isImmutableString(stored.hostname)).toBe(true);
    expect(A.isImmutableString(stored.heads[0])).toBe(true);
    const written = toPlain<DeviceSummary>(stored);
    expect(written).toEqual(summarizeDevice(doc));
    expect(sameSummary(written, summarizeDevice(doc))).toBe(true);
    // Only the two fields and the heads were written, not the entry.
    const patches = A.diff(shard, before, A.getHeads(shard)).map((p) => p.path.slice(2)[0]);
    expect(new Set(patches)).toEqual(new Set(["assignee", "tags", "heads"]));
  });

  it("drops a field the summary no longer has", () => {
    let shard = A.from<FleetSummaryDoc>(createFleetSummaryDoc(0, 1));
    shard = A.change(
      shard,
      (s) => void writeSummary(s, deviceId, { ...emptySummary(), damaged: "broken" }),
    );
    shard = A.change(shard, (s) => void writeSummary(s, deviceId, emptySummary()));
    expect(toPlain(shard.devices[deviceId])).toEqual(emptySummary());
  });
});

describe("shards", () => {
  it("grows by powers of two, keeping the average at or under 192 devices", () => {
    expect([0, 1, 192, 193, 1_000, 10_000].map(shardCountFor)).toEqual([1, 1, 1, 2, 8, 64]);
  });

  it("splits a shard in two when the count doubles, and spreads 10,000 IDs under 256 each", () => {
    const sizes = new Array<number>(128).fill(0);
    for (let index = 0; index < 10_000; index += 1) {
      const id = `lt-${String(index).padStart(4, "0")}-${(index * 7919).toString(16)}`;
      const shard = shardOf(id, 128);
      sizes[shard] = (sizes[shard] ?? 0) + 1;
      expect(shardOf(id, 64)).toBe(shard % 64);
    }
    expect(Math.max(...sizes)).toBeLessThan(256);
  });
});

describe("validateFleetSummaryDoc", () => {
  it("leaves out a malformed entry and says what and where", () => {
    const good = summarizeDevice(described());
    const result = validateFleetSummaryDoc({
      ...createFleetSummaryDoc(1, 4),
      devices: {
        [deviceId]: good,
        "lt-0002": { ...good, pendingCommands: "3" },
        "not a device id!": good,
      },
    });
    expect(result.value?.devices).toEqual({ [deviceId]: good });
    expect(result.problems.map((problem) => problem.message)).toEqual([
      'devices.lt-0002.pendingCommands: expected number, received "3"',
      'devices.not a device id!: expected a device ID as the key, received "not a device id!"',
    ]);
  });

  it("refuses a shard whose identity is broken", () => {
    expect(validateFleetSummaryDoc({ ...createFleetSummaryDoc(0, 3) }).problems[0]?.message).toBe(
      "shardCount: expected a power of two, received 3",
    );
    expect(validateFleetSummaryDoc({ ...createFleetSummaryDoc(4, 4) }).value).toBeNull();
  });
});
