/**
 * Attacks on what an agent runs, each through a real relay on loopback against a real agent pinned
 * to its fleet's root (docs/ARCHITECTURE.md, "Trust"): whoever can write into a DeviceDoc without
 * an admin's certified key (an admin token, the relay's data folder, the device's own token) gets
 * nothing run, and the admins see why.
 */
import { createHash } from "node:crypto";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type DocHandle, type PeerId, Repo } from "@automerge/automerge-repo";
import { type Agent, loadCredentials, RelayConnection } from "@outpost/agent";
import { FAST_BACKOFF, quietMachineCommands } from "@outpost/agent/testing";
import {
  type Actor,
  type CommandId,
  DEFAULT_POLICY,
  type DeviceDoc,
  draftCommand,
  eventsOf,
  fold,
  insertCommand,
  liveCommand,
  peerIdFor,
  recordSigner,
  requestCancel,
  signCommand,
  silentLogger,
  updatePolicy,
} from "@outpost/shared-model";
import { cleanupAfterEach, eventually, testRoot } from "@outpost/shared-model/testing";
import { adminReplica, certifiedAdmin, startFleet, type TestFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

/** A relay, its admin replica, and one agent that pinned the fleet's root when it enrolled. */
async function setUp(fleet?: TestFleet) {
  const started = fleet ?? (await startFleet(cleanup));
  const fleetRoot = started.root;
  const agentData = await cleanup.tempFolder("agent");
  const agent = await started.startAgent({
    dataDirectory: agentData,
    sampleIntervalS: 1,
    commands: quietMachineCommands(join(agentData, "scripts")),
  });
  // The relay has the DeviceDoc on disk (an admin asking sooner would find it unavailable).
  await eventually(
    () => agent.store.state.deviceDocAcknowledged !== undefined,
    "the relay storing the agent's DeviceDoc",
  );
  const admin = adminReplica(started.port, started.adminToken, cleanup);
  const device = await admin.find<DeviceDoc>(agent.device.url);
  const alice = await certifiedAdmin(fleetRoot, "alice");
  await alice.editPolicy(device, {
    allowShell: true,
    load: { ...DEFAULT_POLICY.load, sustainedS: 0 },
  });
  await eventually(() => agent.policy.current.allowShell, "alice's policy applied");
  return { fleet: started, root: fleetRoot, agent, agentData, admin, device, alice };
}

function stateOf(device: DocHandle<DeviceDoc>, id: CommandId) {
  const command = liveCommand(device.doc().commands, id);
  return command && fold(command.spec, command.events);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A replica connected with the agent's own device token, as a compromised device would be. */
async function deviceTokenReplica(
  fleet: TestFleet,
  agent: Agent,
  agentData: string,
): Promise<Repo> {
  const credentials = await loadCredentials(agentData);
  if (credentials === undefined) throw new Error("the agent has not enrolled");
  const connection = new RelayConnection(
    `ws://127.0.0.1:${fleet.port}/sync?token=${credentials.deviceToken}`,
    { logger: silentLogger, backoff: FAST_BACKOFF },
  );
  const repo = new Repo({
    network: [connection],
    peerId: peerIdFor({ kind: "device", deviceId: agent.deviceId }, "forger") as PeerId,
  });
  return cleanup.add(repo, (replica) => replica.shutdown());
}

describe("an agent pinned to its fleet's root", () => {
  it("refuses a shell.run from a writer with an admin token but no signing key; nothing runs, and the admin sees why", {
    timeout: 90_000,
  }, async () => {
    const { agentData, device, alice } = await setUp();
    const marker = join(agentData, "pwned");
    const actor: Actor = { by: "admin:alice", at: Date.now() };
    // One unsigned, one wearing the signature of alice's last policy edit and her certificate.
    const borrowed = device.doc().policy.allowShell?.signature;
    let unsigned: CommandId | undefined;
    let disguised: CommandId | undefined;
    device.change((doc) => {
      unsigned = insertCommand(
        doc,
        draftCommand({ kind: "shell.run", args: { command: `touch ${marker}` } }, actor),
      );
      disguised = insertCommand(
        doc,
        draftCommand(
          { kind: "shell.run", args: { command: `touch ${marker}` }, signature: borrowed },
          actor,
        ),
      );
      recordSigner(doc, alice.signer.certificate);
    });
    const ids = [unsigned, disguised] as CommandId[];
    await eventually(
      () => ids.every((id) => stateOf(device, id)?.status === "rejected"),
      "the admin seeing both rejected",
      30_000,
    );
    expect(stateOf(device, ids[0] as CommandId)).toMatchObject({
      reason: "signature-missing: unsigned (admin:alice)",
    });
    expect(stateOf(device, ids[1] as CommandId)).toMatchObject({
      reason: expect.stringMatching(
        /^signature-invalid: the signature of alice's key does not match this command-spec/,
      ),
    });
    for (const id of ids) {
      expect(eventsOf(device.doc().commands, id).map((event) => event.type)).toEqual(["rejected"]);
    }
    // A signed command after them runs: the agent was able to, and chose not to.
    const signed = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo signed" },
    });
    await eventually(() => stateOf(device, signed)?.status === "succeeded", "alice's command run");
    expect(await exists(marker)).toBe(false);
  });

  it("refuses a command a device forges in its own DeviceDoc with its own token", {
    timeout: 90_000,
  }, async () => {
    const { fleet, agent, agentData, device } = await setUp();
    const marker = join(agentData, "forged");
    const forger = await deviceTokenReplica(fleet, agent, agentData);
    const own = await forger.find<DeviceDoc>(agent.device.url);
    // It even certifies a key of its own, with a root of its own making, as "alice".
    const fakeRoot = await testRoot();
    const fakeAlice = await fakeRoot.adminSigner("alice");
    const forged = await signCommand(
      fakeAlice,
      agent.deviceId,
      draftCommand(
        { kind: "shell.run", args: { command: `touch ${marker}` } },
        { by: "admin:alice", at: Date.now() },
      ),
    );
    let plain: CommandId | undefined;
    own.change((doc) => {
      insertCommand(doc, forged);
      recordSigner(doc, fakeAlice.certificate);
      plain = insertCommand(
        doc,
        draftCommand(
          { kind: "shell.run", args: { command: `touch ${marker}` } },
          { by: "admin:alice", at: Date.now() },
        ),
      );
    });
    const ids = [forged.spec.id, plain as CommandId];
    await eventually(
      () => ids.every((id) => stateOf(device, id)?.status === "rejected"),
      "the admin seeing the forgeries rejected",
      30_000,
    );
    expect(stateOf(device, forged.spec.id)).toMatchObject({
      reason: expect.stringMatching(
        /^signer-unknown: certificate of key .* is not signed by this fleet's root/,
      ),
    });
    expect(stateOf(device, plain as CommandId)).toMatchObject({
      reason: "signature-missing: unsigned (admin:alice)",
    });
    expect(await exists(marker)).toBe(false);
  });

  it("refuses device A's signed command copied onto device B; A runs it", {
    timeout: 120_000,
  }, async () => {
    const a = await setUp();
    const b = await setUp(a.fleet);
    const id = await a.alice.enqueue(a.device, {
      kind: "shell.run",
      args: { command: "echo ran on A" },
    });
    await eventually(() => stateOf(a.device, id)?.status === "succeeded", "A running it");
    // The relay (or an admin token) replays A's signed spec and priority onto B.
    const command = liveCommand(a.device.doc().commands, id);
    b.device.change((doc) => {
      if (command === undefined) return;
      insertCommand(doc, {
        spec: structuredClone(command.spec),
        priority: structuredClone(command.priority),
      });
      recordSigner(doc, a.alice.signer.certificate);
    });
    await eventually(
      () => stateOf(b.device, id)?.status === "rejected",
      "B rejecting the copy",
      30_000,
    );
    expect(stateOf(b.device, id)).toMatchObject({
      reason: expect.stringMatching(
        new RegExp(
          `^signature-invalid: the signature of alice's key does not match this command-spec on ${b.agent.deviceId}`,
        ),
      ),
    });
    expect(eventsOf(b.device.doc().commands, id).map((event) => event.type)).toEqual(["rejected"]);
  });

  it("after an admin key is revoked, rejects what it signs later and what it signed that had not started; what ran keeps its outcome", {
    timeout: 120_000,
  }, async () => {
    const { fleet, agent, device, alice, root } = await setUp();
    const ran = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo before" },
    });
    await eventually(() => stateOf(device, ran)?.status === "succeeded", "the first command run");
    const held = await alice.enqueue(device, {
      kind: "inventory.collect",
      notBefore: Date.now() + 3_600_000,
    });
    await eventually(
      () => stateOf(device, held)?.status === "deferred",
      "the held command accepted",
    );

    // Through the relay, as the CLI or the dashboard's Keys page would: it writes the
    // revocation into the fleet's TrustDoc, which the agent follows.
    const revocation = await fleet.revokeAdminKey(alice.signer.certificate.keyId, "laptop stolen");
    await eventually(
      () => {
        const status = agent.trust.status;
        return status.kind === "pinned" && status.verifier.isRevoked(revocation.keyId);
      },
      "the agent learning the revocation through the TrustDoc",
      30_000,
    );
    const later = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo after" },
    });
    const bob = await certifiedAdmin(root, "bob");
    const fromBob = await bob.enqueue(device, { kind: "inventory.collect" });

    const revoked = `signer-revoked: key ${revocation.keyId} of admin alice was revoked`;
    await eventually(
      () =>
        stateOf(device, later)?.status === "rejected" &&
        stateOf(device, held)?.status === "rejected" &&
        stateOf(device, fromBob)?.status === "succeeded",
      "the admin seeing the outcome",
      30_000,
    ).catch((error: Error) => {
      const states = [later, held, fromBob].map((id) => JSON.stringify(stateOf(device, id)));
      throw new Error(`${error.message}; the admin sees ${states.join(", ")}`);
    });
    expect(stateOf(device, later)).toMatchObject({ reason: revoked });
    expect(stateOf(device, held)).toMatchObject({ reason: revoked });
    expect(stateOf(device, ran)).toMatchObject({
      status: "succeeded",
      outcome: { stdout: "before\n" },
    });
    expect(agent.store.state.revocations?.[revocation.keyId]).toEqual(revocation);
    // The policy alice signed is hers too: shell is off again until another admin signs it on.
    expect(agent.policy.current.allowShell).toBe(false);
  });

  it("ignores a forged cancel, priority and policy setting", { timeout: 120_000 }, async () => {
    const fleet = await startFleet(cleanup);
    const root = fleet.root;
    const agentData = await cleanup.tempFolder("agent");
    const ranLog = join(agentData, "ran.log");
    const scripts = join(agentData, "scripts");
    const script = `#!/bin/sh\necho "$1" >> ${ranLog}\n`;
    await mkdir(scripts, { recursive: true });
    await writeFile(join(scripts, "note.sh"), script, { mode: 0o755 });
    const startAgent = () =>
      fleet.startAgent({
        dataDirectory: agentData,
        sampleIntervalS: 1,
        commands: quietMachineCommands(scripts),
      });
    let agent = await startAgent();
    await eventually(() => agent.link.isOnline(), "the agent connecting");
    const admin = adminReplica(fleet.port, fleet.adminToken, cleanup);
    const device = await admin.find<DeviceDoc>(agent.device.url);
    await agent.stop();

    // While the agent is away: alice's signed policy (no shell) and queue.
    const alice = await certifiedAdmin(root, "alice");
    await alice.editPolicy(device, { load: { ...DEFAULT_POLICY.load, sustainedS: 0 } });
    const sha256 = createHash("sha256").update(script).digest("hex");
    const note = (text: string, priority: number) => ({
      kind: "script.run",
      args: { name: "note.sh", sha256, args: [text] },
      priority,
    });
    const [low, high, inventory, shell] = await alice.enqueueAll(device, [
      note("low", 2),
      note("high", 7),
      { kind: "inventory.collect", priority: 5 },
      { kind: "shell.run", args: { command: `echo shell >> ${ranLog}` } },
    ]);
    // A writer with an admin token and no key: shell on, the low one first, the inventory off.
    const forgedBy: Actor = { by: "admin:alice", at: Date.now() };
    let forgedCancel: string | undefined;
    device.change((doc) => {
      updatePolicy(doc, { allowShell: true }, forgedBy);
      const command = doc.commands[low as CommandId];
      if (command) command.priority = { value: 9, setBy: "admin:alice", setAt: Date.now() };
      forgedCancel = requestCancel(doc, inventory as CommandId, forgedBy);
    });

    agent = await startAgent();
    await eventually(
      () =>
        [low, high, inventory].every(
          (id) => stateOf(device, id as CommandId)?.status === "succeeded",
        ),
      "the queue run as alice signed it",
      60_000,
    );
    expect(await readFile(ranLog, "utf8")).toBe("high\nlow\n");
    expect(stateOf(device, shell as CommandId)).toMatchObject({
      status: "rejected",
      reason: "shell.run is not allowed on this device (its policy has allowShell off)",
    });
    expect(eventsOf(device.doc().commands, inventory as CommandId)).toContainEqual(
      expect.objectContaining({
        type: "intent-rejected",
        answers: forgedCancel,
        reason: "signature-missing: unsigned (admin:alice)",
      }),
    );
    expect(agent.policy.current.allowShell).toBe(false);
  });
});
