import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type Command,
  type CommandId,
  commandSpecItem,
  createDeviceDoc,
  type DeviceDoc,
  enqueueCommand,
  eventsOf,
  intentItem,
  liveCommand,
  parseDeviceId,
  plainCommands,
  policySettingItem,
  priorityItem,
} from "@outpost/shared-model";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestReplica } from "../testing/test-replica.js";
import {
  makeTestTrust,
  PENDING_KEY,
  type TestTrust,
  WAITING_FOR_APPROVAL,
} from "../testing/test-trust.js";
import { type DeviceActions, makeDeviceActions } from "./device-actions.js";

let replica: ReturnType<typeof makeTestReplica>;
let trust: TestTrust;
let actions: DeviceActions;

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  actions = makeDeviceActions(replica, trust, () => 7_000);
});

afterEach(async () => {
  await replica.close();
});

function device(deviceId: string, documentSays = deviceId) {
  return { deviceId, handle: replica.repo.create(createDeviceDoc(parseDeviceId(documentSays))) };
}

const verifyIn = (handle: DocHandle<DeviceDoc>, deviceId: string, item: never) =>
  trust.verifierNow.verify(item, deviceId, handle.doc().signers);

describe("signed writes", () => {
  it("signs an enqueue for each device: it verifies there, and not on another device", async () => {
    const laptop = device("laptop-042");
    const kiosk = device("kiosk-7");
    const report = await actions.enqueue([laptop, kiosk], { kind: "system.reboot", priority: 7 });
    expect(report).toMatchObject({ kind: "written", enqueued: ["laptop-042", "kiosk-7"] });

    const onLaptop = Object.values(plainCommands(laptop.handle.doc().commands))[0] as Command;
    const onKiosk = Object.values(plainCommands(kiosk.handle.doc().commands))[0] as Command;
    if (onLaptop === undefined || onKiosk === undefined) throw new Error("not enqueued");
    expect(onLaptop.spec.id).toBe(onKiosk.spec.id);
    expect(onLaptop.spec.signature).not.toBe(onKiosk.spec.signature);
    expect(laptop.handle.doc().signers).toEqual({
      [trust.signer.certificate.keyId]: trust.signer.certificate,
    });
    for (const [{ handle, deviceId }, command] of [
      [laptop, onLaptop],
      [kiosk, onKiosk],
    ] as const) {
      expect(await verifyIn(handle, deviceId, commandSpecItem(command.spec) as never)).toEqual({
        ok: true,
        admin: "alice",
        keyId: trust.signer.certificate.keyId,
      });
      expect(
        await verifyIn(handle, deviceId, priorityItem(command.spec.id, command.priority) as never),
      ).toMatchObject({ ok: true });
    }
    // The laptop's copy, carried to the kiosk, does not verify there.
    expect(
      await verifyIn(kiosk.handle, "kiosk-7", commandSpecItem(onLaptop.spec) as never),
    ).toMatchObject({ ok: false, problem: "signature-invalid" });
  });

  it("signs cancel, retry, note, priority and policy for their device", async () => {
    const laptop = device("laptop-042");
    let id = "" as CommandId;
    laptop.handle.change((doc) => {
      id = enqueueCommand(doc, { kind: "inventory.collect" }, { by: "admin:carol", at: 1 });
    });
    for (const outcome of [
      await actions.cancel(laptop, id),
      await actions.retry(laptop, id),
      await actions.note(laptop, id, "after lunch"),
      await actions.reprioritize(laptop, id, 2),
      await actions.editPolicy(laptop, { allowShell: true, retainDays: 3 }),
    ]) {
      expect(outcome).toEqual({ saved: true });
    }
    const doc = laptop.handle.doc();
    const command = liveCommand(doc.commands, id);
    if (command === undefined) throw new Error("no command");
    for (const event of command.events) {
      expect(await verifyIn(laptop.handle, "laptop-042", intentItem(id, event) as never)).toEqual(
        expect.objectContaining({ ok: true, admin: "alice" }),
      );
    }
    expect(command.events.map((event) => event.type)).toEqual([
      "cancel-requested",
      "retry-requested",
      "note",
    ]);
    expect(
      await verifyIn(laptop.handle, "laptop-042", priorityItem(id, command.priority) as never),
    ).toMatchObject({ ok: true });
    for (const setting of ["allowShell", "retainDays"] as const) {
      const register = doc.policy[setting];
      if (register === undefined) throw new Error(`${setting} not written`);
      expect(
        await verifyIn(
          laptop.handle,
          "laptop-042",
          policySettingItem(setting, register as never) as never,
        ),
      ).toMatchObject({ ok: true, admin: "alice" });
    }
    // Only the settings in the edit are written.
    expect(Object.keys(doc.policy).sort()).toEqual(["allowShell", "retainDays"]);
    expect(await actions.verify(laptop, commandSpecItem(command.spec))).toMatchObject({
      ok: false,
      problem: "signature-missing",
    });
  });

  it("refuses every signed write with the reason while the key waits for approval", async () => {
    const laptop = device("laptop-042");
    let id = "" as CommandId;
    laptop.handle.change((doc) => {
      id = enqueueCommand(doc, { kind: "inventory.collect" }, { by: "admin:carol", at: 1 });
    });
    trust.setSigning({ kind: "ready", keys: [PENDING_KEY], signer: undefined });
    const heads = laptop.handle.heads();
    const reason = WAITING_FOR_APPROVAL;

    expect(actions.blocked()).toBe(reason);
    expect(await actions.enqueue([laptop], { kind: "system.reboot" })).toEqual({
      kind: "refused",
      problem: reason,
    });
    for (const outcome of [
      await actions.cancel(laptop, id),
      await actions.retry(laptop, id),
      await actions.reprioritize(laptop, id, 9),
      await actions.editPolicy(laptop, { allowShell: true }),
    ]) {
      expect(outcome).toEqual({ saved: false, problems: [reason] });
    }
    expect(laptop.handle.heads()).toEqual(heads);
    expect(replica.pending.documentIds()).toEqual([]);

    // A note changes nothing an agent does: it is written, unsigned, and shown as such.
    expect(await actions.note(laptop, id, "waiting for the key")).toEqual({ saved: true });
    const note = eventsOf(laptop.handle.doc().commands, id).at(-1);
    expect(note).toMatchObject({ type: "note", by: "admin:alice" });
    expect((note as { signature?: string } | undefined)?.signature).toBeUndefined();
  });

  it("does not sign for a device whose document names another device", async () => {
    const impostor = device("laptop-042", "kiosk-7");
    const report = await actions.enqueue([impostor], { kind: "system.reboot" });
    expect(report).toMatchObject({
      kind: "written",
      enqueued: [],
      notEnqueued: [
        {
          deviceId: "laptop-042",
          reason:
            'writing its document failed: its document names the device "kiosk-7", not laptop-042: not signing for it',
        },
      ],
    });
    expect(impostor.handle.doc().commands).toEqual({});
    expect(await actions.editPolicy(impostor, { allowShell: true })).toMatchObject({
      saved: false,
    });
  });
});
