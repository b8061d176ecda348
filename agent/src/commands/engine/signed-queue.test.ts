/**
 * The command engine with the agent's verdicts (docs/ARCHITECTURE.md, "Trust"), over an in-memory
 * DeviceDoc and a real fleet root: it runs only what an admin of its fleet signed, honours only
 * signed cancels, and a revocation stops what the revoked key signed and has not started.
 */
import {
  type AuditEntry,
  type CommandId,
  DEFAULT_POLICY,
  draftCommand,
  eventsOf,
  fold,
  insertCommand,
  liveCommand,
  recordSigner,
  requestCancel,
  silentLogger,
} from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { memoryDevice } from "../../testing/memory-device.js";
import { memoryTrust } from "../../testing/memory-trust.js";
import { OPEN } from "../gates/gate-result.js";
import { ALL_KINDS } from "../kinds/all.js";
import { fakeKindContext } from "../kinds/testing/kind-contract.js";
import { CommandEngine } from "./command-engine.js";
import { QueueVerdicts } from "./queue-verdicts.js";

const cleanup = cleanupAfterEach();

async function setUp() {
  const memory = await memoryDevice(cleanup, "signed-queue");
  const { device, repo, deviceId } = memory;
  const fleet = await memoryTrust(memory);
  const alice = await fleet.admin("alice");
  const policy = { ...DEFAULT_POLICY, allowShell: true };
  const audit: AuditEntry[] = [];
  const engine = new CommandEngine({
    device,
    repo,
    kinds: ALL_KINDS,
    actor: `agent:${deviceId}`,
    now: Date.now,
    policy: () => policy,
    kindContext: (policy) => fakeKindContext({ policy }),
    gates: () => (_candidate, _kind, running) =>
      running.size === 0 ? OPEN : { open: false, reason: "concurrency", detail: "one at a time" },
    trust: new QueueVerdicts(fleet.trust, deviceId),
    logger: silentLogger,
    audit: (entry) => audit.push(entry),
  });
  cleanup.defer(() => engine.stop());
  const settle = async () => {
    for (let round = 0; round < 5; round += 1) {
      await engine.evaluate();
      await engine.idle();
    }
  };
  const stateOf = (id: CommandId) => {
    const command = liveCommand(device.doc().commands, id);
    if (command === undefined) throw new Error(`no command ${id}`);
    return fold(command.spec, command.events);
  };
  return { ...memory, fleet, alice, engine, settle, stateOf, audit };
}

describe("the command engine, trusting only what admins signed", () => {
  it("rejects a shell.run written with an admin's name but no signature, and runs nothing", async () => {
    const { device, alice, settle, stateOf, audit, deviceId } = await setUp();
    let forged: CommandId | undefined;
    device.change((doc) => {
      forged = insertCommand(
        doc,
        draftCommand({ kind: "shell.run", args: { command: "echo pwned" } }, alice.actor()),
      );
    });
    await settle();
    const id = forged as CommandId;
    expect(stateOf(id)).toMatchObject({
      status: "rejected",
      reason: "signature-missing: unsigned (admin:alice)",
    });
    expect(eventsOf(device.doc().commands, id).map((event) => event.type)).toEqual(["rejected"]);
    // Audited as the agent's refusal, naming whom the command claims, not as alice's request.
    expect(audit).toEqual([
      {
        at: expect.any(Number),
        actor: `agent:${deviceId}`,
        action: "command-rejected",
        detail: `shell.run ${id}: rejected: signature-missing: unsigned (admin:alice) (written as admin:alice)`,
      },
    ]);
  });

  it("stops a running command for a signed cancel only; an unsigned one is answered, not obeyed", {
    timeout: 20_000,
  }, async () => {
    const { device, alice, engine, stateOf } = await setUp();
    const sleeper = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "sleep 30" },
    });
    await engine.evaluate();
    expect(stateOf(sleeper).status).toBe("running");
    let forgedCancel: string | undefined;
    device.change((doc) => {
      forgedCancel = requestCancel(doc, sleeper, alice.actor());
    });
    await engine.evaluate();
    expect(stateOf(sleeper).status).toBe("running");
    expect(eventsOf(device.doc().commands, sleeper).at(-1)).toMatchObject({
      type: "intent-rejected",
      answers: forgedCancel,
      reason: "signature-missing: unsigned (admin:alice)",
    });
    const cancel = await alice.cancel(device, sleeper);
    await engine.evaluate();
    await engine.idle();
    expect(stateOf(sleeper)).toMatchObject({ status: "cancelled" });
    // Stopped once, for the signed request: the forged one stopped nothing.
    expect(
      eventsOf(device.doc().commands, sleeper).map((event) => [
        event.type,
        "answers" in event ? event.answers : undefined,
      ]),
    ).toEqual([
      ["accepted", undefined],
      ["started", undefined],
      ["cancel-requested", undefined],
      ["intent-rejected", forgedCancel],
      ["cancel-requested", undefined],
      ["cancelled", cancel],
    ]);
  });

  it("rejects what a revoked key signed and has not started; what it ran keeps its outcome", {
    timeout: 20_000,
  }, async () => {
    const { device, alice, fleet, settle, stateOf } = await setUp();
    const ran = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo before" },
    });
    await settle();
    expect(stateOf(ran)).toMatchObject({ status: "succeeded", outcome: { stdout: "before\n" } });
    // Accepted, then held back (not before a minute from now), when the revocation arrives.
    const held = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo held" },
      notBefore: Date.now() + 60_000,
    });
    await settle();
    expect(stateOf(held).status).toBe("deferred");
    await fleet.revoke(alice.signer);
    const after = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo after" },
    });
    await settle();
    const revoked = `signer-revoked: key ${alice.signer.certificate.keyId} of admin alice was revoked`;
    expect(stateOf(held)).toMatchObject({ status: "rejected", reason: revoked });
    expect(stateOf(after)).toMatchObject({ status: "rejected", reason: revoked });
    expect(stateOf(ran)).toMatchObject({ status: "succeeded", outcome: { stdout: "before\n" } });
  });

  it("trusts a key the document names only through the certificate beside it", async () => {
    const { device, alice, settle, stateOf, fleet } = await setUp();
    const bob = await fleet.admin("bob");
    const id = await bob.enqueue(device, { kind: "inventory.collect" });
    // A writer swaps bob's certificate for one naming alice: it no longer fits the signature.
    device.change((doc) => {
      const keyId = bob.signer.certificate.keyId;
      const swapped = { ...bob.signer.certificate, admin: "alice" };
      if (doc.signers) doc.signers[keyId] = swapped;
      recordSigner(doc, alice.signer.certificate);
    });
    await settle();
    expect(stateOf(id)).toMatchObject({
      status: "rejected",
      reason: expect.stringMatching(/^signer-unknown: certificate of key .* is not signed by/),
    });
  });
});
