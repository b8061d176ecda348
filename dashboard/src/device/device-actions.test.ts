import * as A from "@automerge/automerge";
import { type DocHandle, generateAutomergeUrl } from "@automerge/automerge-repo/slim";
import {
  type CommandId,
  createDeviceDoc,
  createTelemetryDayDoc,
  type DeviceDoc,
  enqueueCommand,
  liveCommand,
  parseDay,
  parseDeviceId,
  plainCommands,
  recordFact,
  setPriority,
  updateAsset,
} from "@outpost/shared-model";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ForeignDayDocument } from "../primitives/find-day.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";
import { type DeviceActions, makeDeviceActions } from "./device-actions.js";

const NOW = 7_000;

let replica: ReturnType<typeof makeTestReplica>;
let trust: TestTrust;
let actions: DeviceActions;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  actions = makeDeviceActions(replica, trust, () => NOW);
});

afterEach(async () => {
  await replica.close();
});

function deviceDoc(deviceId: string): DocHandle<DeviceDoc> {
  return replica.repo.create(createDeviceDoc(parseDeviceId(deviceId)));
}

const commandsOn = (handle: DocHandle<DeviceDoc>) =>
  Object.values(plainCommands(handle.doc().commands));
const pendingIds = () => [...replica.pending.documentIds()].sort();

/** A device with one command carol enqueued, that command's ID, and the device as writes name it. */
function deviceWithCommand(): {
  handle: DocHandle<DeviceDoc>;
  id: CommandId;
  device: { deviceId: string; handle: DocHandle<DeviceDoc> };
} {
  const handle = deviceDoc("laptop-042");
  let id = "" as CommandId;
  handle.change((doc) => {
    id = enqueueCommand(doc, { kind: "inventory.collect" }, { by: "admin:carol", at: 1_000 });
  });
  return { handle, id, device: { deviceId: "laptop-042", handle } };
}

/** Another replica of `source`'s document, writing as `actorHex` repeated. */
function forkWithActor(source: DocHandle<DeviceDoc>, actorHex: string): DocHandle<DeviceDoc> {
  const fork = replica.repo.clone(source);
  fork.update((doc) => A.clone(doc, { actor: actorHex.repeat(16) }));
  return fork;
}

describe("makeDeviceActions: enqueue", () => {
  it("writes one command, with one ID, on every device, as this admin", async () => {
    const targets = ["laptop-042", "kiosk-7"].map((deviceId) => ({
      deviceId,
      handle: deviceDoc(deviceId),
    }));

    const report = await actions.enqueue(targets, {
      kind: "service.restart",
      args: { name: "cups" },
      priority: 7,
    });

    expect(report).toMatchObject({
      kind: "written",
      enqueued: ["laptop-042", "kiosk-7"],
      notEnqueued: [],
    });
    const id = report.kind === "written" ? report.id : undefined;
    for (const { handle } of targets) {
      expect(commandsOn(handle)).toMatchObject([
        {
          spec: { id, kind: "service.restart", createdBy: "admin:alice", createdAt: NOW },
          priority: { value: 7, setBy: "admin:alice", setAt: NOW },
          events: [],
        },
      ]);
    }
    expect(pendingIds()).toEqual(targets.map((target) => target.handle.documentId).sort());
  });

  it("writes the devices it can, names the others with why, and leaves them untouched", async () => {
    const loaded = deviceDoc("laptop-042");
    // A document from the network can be anything: this one has no command queue.
    const broken = deviceDoc("kiosk-7");
    broken.change((doc) => {
      delete (doc as Partial<DeviceDoc>).commands;
    });
    const brokenHeads = broken.heads();

    const report = await actions.enqueue(
      [
        { deviceId: "laptop-042", handle: loaded },
        { deviceId: "printer-3", handle: undefined },
        { deviceId: "kiosk-7", handle: broken },
      ],
      { kind: "system.reboot" },
    );

    expect(report).toMatchObject({
      kind: "written",
      enqueued: ["laptop-042"],
      notEnqueued: [
        { deviceId: "printer-3", reason: "its document is not in this browser yet" },
        {
          deviceId: "kiosk-7",
          reason: expect.stringMatching(/^writing its document failed: .+/),
        },
      ],
    });
    expect(commandsOn(loaded)).toMatchObject([{ spec: { kind: "system.reboot" } }]);
    expect(broken.heads()).toEqual(brokenHeads);
    expect(pendingIds()).toEqual([loaded.documentId]);
  });

  it("refuses a command the shared model refuses before writing any device", async () => {
    const targets = ["laptop-042", "kiosk-7"].map((deviceId) => ({
      deviceId,
      handle: deviceDoc(deviceId),
    }));
    const heads = targets.map((target) => target.handle.heads());

    const report = await actions.enqueue(targets, { kind: "system.reboot", priority: 12 });

    expect(report).toMatchObject({ kind: "refused", problem: expect.stringContaining("priority") });
    expect(targets.map((target) => target.handle.heads())).toEqual(heads);
    expect(pendingIds()).toEqual([]);
  });

  it("refuses an enqueue with no device", async () => {
    expect(await actions.enqueue([], { kind: "system.reboot" })).toEqual({
      kind: "refused",
      problem: "No device to enqueue on",
    });
  });
});

describe("makeDeviceActions: a command's intents and priority", () => {
  it("appends cancel, retry and note as this admin, and sets the priority", async () => {
    const { handle, id, device } = deviceWithCommand();
    await actions.cancel(device, id);
    await actions.retry(device, id);
    await actions.note(device, id, "user asked to wait");
    await actions.reprioritize(device, id, 9);

    const command = liveCommand(handle.doc().commands, id);
    expect(command?.events).toMatchObject([
      { type: "cancel-requested", by: "admin:alice", at: NOW },
      { type: "retry-requested", by: "admin:alice", at: NOW },
      { type: "note", text: "user asked to wait", by: "admin:alice", at: NOW },
    ]);
    expect(command?.priority).toEqual({
      value: 9,
      setBy: "admin:alice",
      setAt: NOW,
      signature: expect.any(String),
    });
    expect(replica.pending.has(handle.documentId)).toBe(true);
  });

  it("folds a command's state from the document", () => {
    const { handle, id } = deviceWithCommand();
    const stateNow = () => actions.stateOf(handle, liveCommand(handle.doc().commands, id) as never);
    expect(stateNow().status).toBe("pending");
    handle.change((doc) => {
      const agent = { by: "agent:laptop-042", at: 8_000 };
      recordFact(doc, id, { type: "started", attempt: 1 }, agent);
      recordFact(doc, id, { type: "failed", outcome: { exitCode: 1, durationMs: 5 } }, agent);
    });
    expect(stateNow().status).toBe("failed");
  });

  it("reads every priority concurrent admins left", async () => {
    const { handle, id, device } = deviceWithCommand();
    expect(actions.priorityConflicts(handle, id)).toHaveLength(1);
    const other = forkWithActor(handle, "ff");
    await actions.reprioritize(device, id, 8);
    other.change((doc) => setPriority(doc, id, 2, { by: "admin:bob", at: 3_000 }));
    handle.merge(other);

    expect(
      actions
        .priorityConflicts(handle, id)
        .map((value) => `${value.setBy}=${value.value}`)
        .sort(),
    ).toEqual(["admin:alice=8", "admin:bob=2"]);
  });
});

describe("makeDeviceActions: asset and policy", () => {
  it("saves asset fields as this admin", () => {
    const handle = deviceDoc("laptop-042");
    expect(actions.editAsset(handle, { assignee: "Dana", tags: ["office"] })).toEqual({
      saved: true,
    });
    expect(handle.doc().asset).toMatchObject({
      assignee: "Dana",
      tags: ["office"],
      updatedBy: "admin:alice",
      updatedAt: NOW,
    });
    expect(replica.pending.has(handle.documentId)).toBe(true);
  });

  it("names every bad asset field and writes none of them", () => {
    const handle = deviceDoc("laptop-042");
    const heads = handle.heads();
    const outcome = actions.editAsset(handle, {
      assignee: "Dana",
      tags: ["office", "x".repeat(101)],
    });
    expect(outcome).toMatchObject({
      saved: false,
      problems: [expect.stringContaining("asset.tags.1")],
    });
    expect(handle.heads()).toEqual(heads);
    expect(pendingIds()).toEqual([]);
  });

  it("reads every value concurrent admins left in an asset field", () => {
    const handle = deviceDoc("laptop-042");
    const other = forkWithActor(handle, "ff");
    actions.editAsset(handle, { assignee: "Dana" });
    other.change((doc) => updateAsset(doc, { assignee: "Fox" }, { by: "admin:bob", at: 1_000 }));
    handle.merge(other);
    expect(actions.assetConflicts(handle, "assignee")).toEqual(["Dana", "Fox"]);
    expect(actions.assetConflicts(handle, "location")).toEqual([""]);
  });

  it("saves a valid policy, and names a bad setting without writing", async () => {
    const handle = deviceDoc("laptop-042");
    const device = { deviceId: "laptop-042", handle };
    expect(await actions.editPolicy(device, { allowShell: true })).toEqual({ saved: true });
    expect(handle.doc().policy).toMatchObject({
      allowShell: { value: true, setBy: "admin:alice" },
    });

    const heads = handle.heads();
    const outcome = await actions.editPolicy(device, { samplingIntervalS: 5_000, retainDays: -1 });
    expect(outcome).toMatchObject({
      saved: false,
      problems: [
        expect.stringContaining("policy.samplingIntervalS"),
        expect.stringContaining("policy.retainDays"),
      ],
    });
    expect(handle.heads()).toEqual(heads);
  });
});

describe("makeDeviceActions: day documents", () => {
  it("reads the audit entries of the days asked for, newest first, without the missing ones", async () => {
    const device = parseDeviceId("laptop-042");
    const dayDoc = (day: string, entries: { at: number; action: string }[]) => {
      const handle = replica.repo.create(createTelemetryDayDoc(device, parseDay(day), 10, {}));
      handle.change((doc) => {
        for (const entry of entries) doc.audit.push({ ...entry, actor: "relay", detail: "" });
      });
      return handle;
    };
    const first = dayDoc("2026-11-20", [{ at: 1, action: "a" }]);
    const second = dayDoc("2026-11-21", [
      { at: 3, action: "c" },
      { at: 2, action: "b" },
    ]);
    const telemetry = {
      "2026-11-20": { url: first.url, samples: 0 },
      "2026-11-21": { url: second.url, samples: 0 },
      "2026-11-22": { url: generateAutomergeUrl(), samples: 0 },
    } as DeviceDoc["telemetry"];

    const entries = await actions.auditOf(device, telemetry, [
      "2026-11-21",
      "2026-11-22",
      "2026-11-20",
    ]);
    expect(entries.map((entry) => entry.action)).toEqual(["c", "b", "a"]);
    expect(await actions.auditOf(device, telemetry, ["2026-11-21"])).toHaveLength(2);
    expect((await actions.findDay(device, "2026-11-20", first.url)).doc().day).toBe("2026-11-20");
  });

  it("refuses a day document that is not the device's own day: another device's, or another day", async () => {
    const device = parseDeviceId("laptop-042");
    const other = parseDeviceId("laptop-043");
    const theirs = replica.repo.create(
      createTelemetryDayDoc(other, parseDay("2026-11-20"), 10, {}),
    );
    theirs.change((doc) => {
      doc.audit.push({ at: 1, action: "forged", actor: "relay", detail: "" });
    });
    const mine = replica.repo.create(createTelemetryDayDoc(device, parseDay("2026-11-19"), 10, {}));
    const telemetry = {
      "2026-11-20": { url: theirs.url, samples: 0 },
      "2026-11-21": { url: mine.url, samples: 0 },
    } as DeviceDoc["telemetry"];

    await expect(actions.findDay(device, "2026-11-20", theirs.url)).rejects.toThrow(
      new RegExp(`holds the telemetry of ${other} for 2026-11-20`),
    );
    await expect(actions.findDay(device, "2026-11-21", mine.url)).rejects.toBeInstanceOf(
      ForeignDayDocument,
    );
    expect(await actions.auditOf(device, telemetry, ["2026-11-20", "2026-11-21"])).toEqual([]);
  });
});
