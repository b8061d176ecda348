import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { liveCommand } from "../commands/archived.js";
import type { Command } from "../commands/command.js";
import {
  draftCommand,
  draftIntent,
  draftPriority,
  enqueueCommand,
  insertCommand,
} from "../commands/mutators.js";
import { createDeviceDoc } from "../documents/create.js";
import type { DeviceDoc } from "../documents/device-doc.js";
import { draftPolicy } from "../documents/policy.js";
import { toStored } from "../documents/stored-strings.js";
import { parseDeviceId } from "../ids/ids.js";
import { testRoot } from "../testing/trust-keys.js";
import { issueRevocation } from "./certificates.js";
import { fromBase64Url, toBase64Url } from "./encoding.js";
import { InvalidRecoveryKey, openRootKey } from "./root-key.js";
import { signCommand, signIntent, signPolicy, signPriority } from "./sign-writes.js";
import { commandSpecItem, intentItem, policySettingItem, priorityItem } from "./signed-items.js";
import { signedMessage } from "./signed-message.js";
import { TrustVerifier } from "./trust-verifier.js";

const LAPTOP = parseDeviceId("laptop-1");
const OTHER = parseDeviceId("laptop-2");
const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const alice = { by: "admin:alice", at: T0 };

async function fleet() {
  const root = await testRoot();
  const verifier = await TrustVerifier.create(root.publicKey);
  const signer = await root.adminSigner("alice", T0);
  return { root, verifier, signer };
}

describe("signed messages", () => {
  it("are the same bytes whatever order the payload's keys come in", () => {
    const scope = { fleet: "SHA256:x", device: "laptop-1" };
    const one = signedMessage("command-spec", scope, { b: 1, a: [true, "é"], c: { z: 1, y: 2 } });
    const two = signedMessage("command-spec", scope, { c: { y: 2, z: 1 }, a: [true, "é"], b: 1 });
    expect(new TextDecoder().decode(one)).toBe(
      'outpost-signature-v1\ncommand-spec\nSHA256:x\nlaptop-1\n{"a":[true,"é"],"b":1,"c":{"y":2,"z":1}}',
    );
    expect(two).toEqual(one);
  });

  it("round-trip base64url", () => {
    const bytes = new Uint8Array([0, 255, 62, 63, 1, 2]);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(() => fromBase64Url("a+b/")).toThrow("expected unpadded base64url");
  });
});

describe("TrustVerifier", () => {
  // The spec as one JSON scalar (insertCommand), and the way documents written before hold it:
  // a map with its strings as ImmutableString scalars, or as text. All read back to what was
  // signed.
  it.each([
    ["as one JSON scalar", "json"],
    ["as a map of ImmutableStrings, as written before", "scalars"],
    ["as a map of text strings, as written before", "text"],
  ] as const)(
    "trusts a command spec its admin signed, written in a real Automerge document %s",
    async (_, how) => {
      const { verifier, signer } = await fleet();
      const signed = await signCommand(
        signer,
        LAPTOP,
        draftCommand(
          { kind: "shell.run", args: { command: "echo hi", tags: ["a", "b"], n: 1.5 } },
          alice,
        ),
      );
      let doc = A.from<DeviceDoc>(createDeviceDoc(LAPTOP));
      doc = A.change(doc, (d) => {
        if (how === "json") insertCommand(d, signed);
        else {
          const spec = how === "scalars" ? toStored(signed.spec) : signed.spec;
          d.commands[signed.spec.id] = { spec, priority: signed.priority, events: [] };
        }
      });
      const stored = doc.commands[signed.spec.id] as { spec: { signature?: unknown } };
      expect(A.isImmutableString(stored.spec)).toBe(how === "json");
      if (how !== "json")
        expect(A.isImmutableString(stored.spec.signature)).toBe(how === "scalars");
      // Through a save and a load, as a replica on another machine reads it.
      const loaded = A.load<DeviceDoc>(A.save(doc));
      const command = liveCommand(loaded.commands, signed.spec.id) as Command;
      const certificates = { [signer.certificate.keyId]: signer.certificate };
      expect(await verifier.verify(commandSpecItem(command.spec), LAPTOP, certificates)).toEqual({
        ok: true,
        admin: "alice",
        keyId: signer.certificate.keyId,
      });
      expect(
        await verifier.verify(priorityItem(signed.spec.id, command.priority), LAPTOP, certificates),
      ).toMatchObject({ ok: true });
    },
  );

  it("refuses a changed spec, another device's copy, a missing signature and a wrong author", async () => {
    const { verifier, signer } = await fleet();
    const signed = await signCommand(
      signer,
      LAPTOP,
      draftCommand({ kind: "shell.run", args: { command: "echo hi" } }, alice),
    );
    const certificates = { [signer.certificate.keyId]: signer.certificate };
    const tampered = { ...signed.spec, args: { command: "rm -rf /" } };
    expect(await verifier.verify(commandSpecItem(tampered), LAPTOP, certificates)).toMatchObject({
      ok: false,
      problem: "signature-invalid",
    });
    expect(await verifier.verify(commandSpecItem(signed.spec), OTHER, certificates)).toMatchObject({
      ok: false,
      problem: "signature-invalid",
    });
    const unsigned = { ...signed.spec };
    delete unsigned.signature;
    expect(await verifier.verify(commandSpecItem(unsigned), LAPTOP, certificates)).toMatchObject({
      ok: false,
      problem: "signature-missing",
    });
    const asBob = { ...signed.spec, createdBy: "admin:bob" };
    expect(await verifier.verify(commandSpecItem(asBob), LAPTOP, certificates)).toMatchObject({
      ok: false,
      problem: "signature-invalid",
      detail: "signed with alice's key but written as admin:bob",
    });
  });

  it("refuses keys without a certificate from this fleet's root, and revoked keys", async () => {
    const { root, verifier, signer } = await fleet();
    const stranger = await (await testRoot()).adminSigner("alice", T0);
    const foreign = await signCommand(
      stranger,
      LAPTOP,
      draftCommand({ kind: "system.reboot" }, alice),
    );
    expect(
      await verifier.verify(commandSpecItem(foreign.spec), LAPTOP, {
        [stranger.certificate.keyId]: stranger.certificate,
      }),
    ).toMatchObject({ ok: false, problem: "signer-unknown" });
    expect(await verifier.verify(commandSpecItem(foreign.spec), LAPTOP, {})).toMatchObject({
      ok: false,
      problem: "signer-unknown",
    });

    const mine = await signCommand(signer, LAPTOP, draftCommand({ kind: "system.reboot" }, alice));
    const certificates = { [signer.certificate.keyId]: signer.certificate };
    // A revocation signed by another root is not learnt; the root's own is, for good.
    const fake = await issueRevocation((await testRoot()).key, {
      keyId: signer.certificate.keyId,
      revokedAt: T0,
    });
    expect(await verifier.learnRevocations([fake])).toEqual([]);
    const real = await issueRevocation(root.key, {
      keyId: signer.certificate.keyId,
      revokedAt: T0,
    });
    expect(await verifier.learnRevocations([real, real])).toEqual([signer.certificate.keyId]);
    expect(await verifier.verify(commandSpecItem(mine.spec), LAPTOP, certificates)).toMatchObject({
      ok: false,
      problem: "signer-revoked",
    });
  });

  it("never lets a certificate borrow the root's signature of another (checked first or not)", async () => {
    const { verifier, signer } = await fleet();
    const certificates = { [signer.certificate.keyId]: signer.certificate };
    const real = await signCommand(signer, LAPTOP, draftCommand({ kind: "system.reboot" }, alice));
    expect(await verifier.verify(commandSpecItem(real.spec), LAPTOP, certificates)).toMatchObject({
      ok: true,
    });
    // A key nobody certified, its certificate carrying the root's signature of alice's.
    const stranger = await (await testRoot()).adminSigner("alice", T0);
    const borrowed = { ...stranger.certificate, signature: signer.certificate.signature };
    const forged = await signCommand(
      { ...stranger, certificate: borrowed },
      LAPTOP,
      draftCommand({ kind: "shell.run", args: { command: "id" } }, alice),
    );
    expect(
      await verifier.verify(commandSpecItem(forged.spec), LAPTOP, { [borrowed.keyId]: borrowed }),
    ).toMatchObject({ ok: false, problem: "signer-unknown" });
    expect(await verifier.certificateProblem(borrowed)).toMatch(/not signed by this fleet's root/);
    expect(await verifier.learnCertificates([borrowed])).toHaveLength(1);
  });

  it("is not fooled out of a good certificate by a bad one written under the same key ID", async () => {
    const { verifier, signer } = await fleet();
    const signed = await signCommand(
      signer,
      LAPTOP,
      draftCommand({ kind: "system.reboot" }, alice),
    );
    await verifier.learnCertificates([signer.certificate]);
    // A device (or the relay) overwrote the document's copy with garbage for that key.
    const forged = { ...signer.certificate, issuedAt: signer.certificate.issuedAt + 1 };
    expect(
      await verifier.verify(commandSpecItem(signed.spec), LAPTOP, {
        [signer.certificate.keyId]: forged,
      }),
    ).toMatchObject({ ok: true, admin: "alice" });
  });

  it("checks intents, priorities and policy settings for their own command or setting", async () => {
    const { verifier, signer } = await fleet();
    const certificates = { [signer.certificate.keyId]: signer.certificate };
    const command = draftCommand({ kind: "system.reboot" }, alice);
    const id = command.spec.id;
    const cancel = await signIntent(
      signer,
      LAPTOP,
      id,
      draftIntent({ type: "cancel-requested" as const }, alice),
    );
    expect(await verifier.verify(intentItem(id, cancel), LAPTOP, certificates)).toMatchObject({
      ok: true,
    });
    const otherId = draftCommand({ kind: "system.reboot" }, alice).spec.id;
    expect(await verifier.verify(intentItem(otherId, cancel), LAPTOP, certificates)).toMatchObject({
      ok: false,
      problem: "signature-invalid",
    });
    const priority = await signPriority(signer, LAPTOP, id, draftPriority(9, alice));
    expect(
      await verifier.verify(priorityItem(id, { ...priority, value: 1 }), LAPTOP, certificates),
    ).toMatchObject({ ok: false, problem: "signature-invalid" });
    const policy = await signPolicy(signer, LAPTOP, draftPolicy({ allowShell: true }, alice));
    const register = policy.allowShell as NonNullable<typeof policy.allowShell>;
    expect(
      await verifier.verify(policySettingItem("allowShell", register), LAPTOP, certificates),
    ).toMatchObject({ ok: true });
    expect(
      await verifier.verify(
        policySettingItem("allowShell", { ...register, value: false }),
        LAPTOP,
        certificates,
      ),
    ).toMatchObject({ ok: false, problem: "signature-invalid" });
  });
});

describe("recovery keys", () => {
  it("open for signing, and say clearly when they are not one", async () => {
    const root = await testRoot();
    const opened = await openRootKey(`  ${root.recoveryKey}\n`);
    expect(opened.fleet).toBe(root.fleet);
    expect(root.fleet).toMatch(/^SHA256:[A-Za-z0-9_-]{43}$/);
    await expect(openRootKey("hello")).rejects.toThrow(InvalidRecoveryKey);
    const other = await testRoot();
    const mixed = `${root.recoveryKey.split(":").slice(0, 2).join(":")}:${other.recoveryKey.split(":")[2]}`;
    await expect(openRootKey(mixed)).rejects.toThrow("does not match its public key");
  });

  it("an unsigned enqueue is still a command the fold and planner understand", () => {
    const doc = A.change(A.from<DeviceDoc>(createDeviceDoc(LAPTOP)), (d) => {
      enqueueCommand(d, { kind: "system.reboot" }, alice);
    });
    expect(Object.keys(doc.commands)).toHaveLength(1);
  });
});
