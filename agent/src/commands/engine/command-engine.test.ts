import * as A from "@automerge/automerge";
import { type DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type AuditEntry,
  type CommandId,
  createDeviceDoc,
  DEFAULT_POLICY,
  type DeviceDoc,
  type EnqueueInput,
  eventsOf,
  fold,
  liveCommand,
  parseDeviceId,
  recordFact,
  silentLogger,
  TrustVerifier,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { cleanupAfterEach, testRoot } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { SignedAdmin } from "../../testing/signed-admin.js";
import { LoadWatch } from "../execution/load-watch.js";
import { OPEN } from "../gates/gate-result.js";
import { lockGate } from "../gates/locks.js";
import { maintenanceWindowGate } from "../gates/maintenance-window.js";
import { ALL_KINDS } from "../kinds/all.js";
import type { CommandKind } from "../kinds/command-kind.js";
import { inventoryCollectKind } from "../kinds/inventory-collect/inventory-collect.js";
import { fakeKindContext } from "../kinds/testing/kind-contract.js";
import { CommandEngine } from "./command-engine.js";
import { QueueVerdicts } from "./queue-verdicts.js";

const cleanup = cleanupAfterEach();
const NOON = Date.parse("2026-11-21T12:00:00Z");

async function setUp(options: { kinds?: readonly CommandKind[] } = {}) {
  const folder = await cleanup.tempFolder("engine");
  const storage = await CrashSafeFileStorageAdapter.create(folder);
  const repo = new Repo({ storage, network: [] });
  // shutdown() does not wait for a save already under way; the folder goes only after it.
  cleanup.defer(async () => {
    await repo.shutdown();
    await storage.whenIdle();
  });
  const device: DocHandle<DeviceDoc> = repo.create(createDeviceDoc(parseDeviceId("laptop-1")));
  // The agent runs what admins of its fleet signed: alice enqueues, bob cancels.
  const root = await testRoot();
  const alice = new SignedAdmin(await root.adminSigner("alice"), () => NOON - 60_000);
  const bob = new SignedAdmin(await root.adminSigner("bob"), () => NOON);
  const verifier = await TrustVerifier.create(root.publicKey);
  const pinned = { kind: "pinned" as const, verifier, generation: 0 };
  // The engine takes the policy in force from the agent (DevicePolicy); these tests allow shell.
  const policy = { ...DEFAULT_POLICY, allowShell: true };
  let now = NOON;
  const audit: AuditEntry[] = [];
  const engine = new CommandEngine({
    device,
    repo,
    kinds: options.kinds ?? ALL_KINDS,
    actor: "agent:laptop-1",
    // Every reading a millisecond later, so the facts' times give the order things happened in.
    now: () => (now += 1),
    random: () => 0.5,
    policy: () => policy,
    kindContext: (policy) => fakeKindContext({ policy }),
    gates: () => (candidate, kind, running) => {
      const window = maintenanceWindowGate({
        needsWindow: kind.defaults.disruptive || candidate.command.spec.window === "maintenance",
        window: policy.maintenanceWindow,
        at: now,
        timeZone: "UTC",
      });
      if (!window.open) return window;
      const held = new Map<string, CommandId>();
      for (const id of running.keys()) {
        const lock = liveCommand(device.doc().commands, id)?.spec.lock;
        if (lock) held.set(lock, id);
      }
      const lock = lockGate(candidate.command.spec.lock, held);
      if (!lock.open) return lock;
      return running.size === 0
        ? OPEN
        : { open: false, reason: "concurrency", detail: "one command at a time" };
    },
    trust: new QueueVerdicts({ status: pinned, onChange: () => () => {} }, device.doc().deviceId),
    logger: silentLogger,
    audit: (entry) => audit.push(entry),
    // The gate's last reading, then a run that loads the CPU to 70 % at its peak.
    watchLoad: () => {
      const during = [35, 70, 40];
      const reading = (cpuPercent: number) => ({
        at: now,
        cpuPercent,
        memoryPercent: 40,
        diskBusyPercent: 2,
      });
      return new LoadWatch(reading(12), {
        read: async () => reading(during.shift() ?? 20),
      });
    },
  });
  const enqueue = (input: EnqueueInput) => alice.enqueue(device, input);
  const settle = async () => {
    for (let round = 0; round < 10; round += 1) {
      await engine.evaluate();
      await engine.idle();
    }
  };
  const stateOf = (id: CommandId) => {
    const command = liveCommand(device.doc().commands, id);
    if (!command) throw new Error(`no ${id}`);
    return fold(command.spec, command.events);
  };
  const factsOf = (id: CommandId) => eventsOf(device.doc().commands, id).map((e) => e.type);
  return {
    repo,
    device,
    engine,
    enqueue,
    settle,
    stateOf,
    factsOf,
    audit,
    bob,
    setNow: (at: number) => (now = at),
  };
}

describe("CommandEngine", () => {
  it("runs the queue by priority, one at a time, after dependencies; rejects, supersedes and blocks as planned", {
    timeout: 30_000,
  }, async () => {
    const { enqueue, settle, stateOf, factsOf, device } = await setUp();
    const low = await enqueue({ kind: "shell.run", args: { command: "echo low" }, priority: 3 });
    const high = await enqueue({ kind: "shell.run", args: { command: "echo high" }, priority: 8 });
    const after = await enqueue({
      kind: "shell.run",
      args: { command: "echo after" },
      priority: 9,
      dependsOn: [low],
    });
    const unknown = await enqueue({ kind: "firmware.flash", args: {} });
    const first = await enqueue({ kind: "inventory.collect", dedupeKey: "inv" });
    const second = await enqueue({ kind: "inventory.collect", dedupeKey: "inv" });
    const failing = await enqueue({
      kind: "shell.run",
      args: { command: "exit 4" },
      retry: { maxAttempts: 1 },
    });
    const dependent = await enqueue({
      kind: "shell.run",
      args: { command: "echo never" },
      dependsOn: [failing],
    });
    await settle();

    expect(stateOf(high)).toMatchObject({ status: "succeeded", outcome: { stdout: "high\n" } });
    expect(stateOf(low)).toMatchObject({ status: "succeeded", outcome: { stdout: "low\n" } });
    expect(stateOf(after)).toMatchObject({ status: "succeeded", outcome: { stdout: "after\n" } });
    expect(stateOf(unknown)).toMatchObject({
      status: "rejected",
      reason: expect.stringContaining('unknown kind "firmware.flash"'),
    });
    expect([stateOf(first).status, stateOf(second).status].sort()).toEqual([
      "succeeded",
      "superseded",
    ]);
    expect(stateOf(failing)).toMatchObject({ status: "failed", outcome: { exitCode: 4 } });
    expect(stateOf(dependent).status).toBe("blocked");
    expect(factsOf(high)).toEqual(["accepted", "started", "succeeded"]);
    expect(stateOf(high)).toMatchObject({
      outcome: { metrics: { cpuPercentBefore: 12, cpuPercentPeak: 70, memoryPercentPeak: 40 } },
    });

    // Order of starts: high (8) before low (3); after (9) only once low succeeded.
    const startedAt = (id: CommandId) =>
      eventsOf(device.doc().commands, id).find((event) => event.type === "started")?.at ??
      Number.NaN;
    expect(startedAt(high)).toBeLessThan(startedAt(low));
    expect(startedAt(low)).toBeLessThan(startedAt(after));
  });

  it("records a deferral once per reason, and runs a windowed command once the window opens", async () => {
    const { enqueue, settle, stateOf, factsOf, setNow } = await setUp();
    const reboot = await enqueue({ kind: "system.reboot" });
    await settle();
    await settle();
    expect(stateOf(reboot)).toMatchObject({ status: "deferred", reason: "maintenance-window" });
    expect(factsOf(reboot)).toEqual(["accepted", "deferred"]);
    setNow(Date.parse("2026-11-22T02:30:00Z"));
    await settle();
    expect(stateOf(reboot).status).toBe("succeeded");
  });

  it("validates a command held back by notBefore or a dependency and records why it waits", async () => {
    const { enqueue, settle, stateOf, factsOf, setNow, device } = await setUp();
    const later = await enqueue({ kind: "inventory.collect", notBefore: NOON + 3_600_000 });
    const first = await enqueue({ kind: "system.reboot" });
    const after = await enqueue({ kind: "inventory.collect", dependsOn: [first] });
    const broken = await enqueue({ kind: "no.such-kind", notBefore: NOON + 3_600_000 });
    await settle();
    expect(stateOf(later)).toMatchObject({ status: "deferred", reason: "not-before" });
    expect(factsOf(later)).toEqual(["accepted", "deferred"]);
    expect(stateOf(after)).toMatchObject({ status: "deferred", reason: "dependencies" });
    expect(stateOf(broken).status).toBe("rejected");
    // Once the time passes and the reboot's window opens, both run.
    setNow(Date.parse("2026-11-22T02:30:00Z"));
    await settle();
    expect([later, first, after].map((id) => stateOf(id).status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    // The wait for its time is recorded once, however many evaluations it spanned (a wait for
    // the command running beside it, once it could start, is another reason, recorded apart).
    const waits = eventsOf(device.doc().commands, later).flatMap((event) =>
      event.type === "deferred" ? [event.reason] : [],
    );
    expect(waits.filter((reason) => reason === "not-before")).toHaveLength(1);
  });

  it("records what one evaluation decides about a waiting queue in one change", async () => {
    const { enqueue, engine, stateOf, device } = await setUp();
    const waiting = await Promise.all(
      Array.from({ length: 200 }, () =>
        enqueue({ kind: "inventory.collect", window: "maintenance" }),
      ),
    );
    const changes = () => A.getAllChanges(device.doc()).length;
    const before = changes();
    await engine.evaluate();
    expect(changes()).toBe(before + 1);
    expect(waiting.map((id) => stateOf(id).status)).toEqual(waiting.map(() => "deferred"));
    // Nothing new to say: the next evaluations write nothing.
    await engine.evaluate();
    await engine.evaluate();
    expect(changes()).toBe(before + 1);
  });

  it("rejects or fails a command whose kind throws, and goes on with the rest", async () => {
    const throwing = (name: string, where: "validate" | "run"): CommandKind => ({
      ...inventoryCollectKind,
      name,
      validate: async (args, context) => {
        if (where === "validate") throw new Error("validator bug");
        return inventoryCollectKind.validate(args, context);
      },
      run: async () => {
        throw new Error("runner bug");
      },
    });
    const { enqueue, settle, stateOf } = await setUp({
      kinds: [...ALL_KINDS, throwing("bad.validate", "validate"), throwing("bad.run", "run")],
    });
    const badValidate = await enqueue({ kind: "bad.validate", priority: 9 });
    const badRun = await enqueue({ kind: "bad.run", priority: 8, retry: { maxAttempts: 1 } });
    const fine = await enqueue({ kind: "shell.run", args: { command: "echo fine" }, priority: 1 });
    await settle();
    expect(stateOf(badValidate)).toMatchObject({
      status: "rejected",
      reason: "bad.validate failed to validate it: validator bug",
    });
    expect(stateOf(badRun)).toMatchObject({
      status: "failed",
      outcome: { exitCode: null, error: "bad.run failed inside the agent: runner bug" },
    });
    expect(stateOf(fine).status).toBe("succeeded");
  });

  it("stops a running interruptible command on cancel; answers cancel-too-late otherwise", {
    timeout: 20_000,
  }, async () => {
    const { enqueue, engine, stateOf, device, bob } = await setUp();
    const sleeper = await enqueue({ kind: "shell.run", args: { command: "sleep 30" } });
    await engine.evaluate();
    expect(stateOf(sleeper).status).toBe("running");
    await bob.cancel(device, sleeper);
    await engine.evaluate();
    await engine.idle();
    expect(stateOf(sleeper).status).toBe("cancelled");
  });

  it("audits every fact: who asked, when, and what happened", { timeout: 20_000 }, async () => {
    const { enqueue, engine, device, audit, bob } = await setUp();
    const sleeper = await enqueue({ kind: "shell.run", args: { command: "sleep 30" } });
    const unknown = await enqueue({ kind: "firmware.flash", args: {} });
    await engine.evaluate();
    await bob.cancel(device, sleeper);
    await engine.evaluate();
    await engine.idle();
    const facts = (id: CommandId) =>
      eventsOf(device.doc().commands, id).filter((event) => event.by.startsWith("agent:"));
    // One entry per fact, with the fact's own time.
    expect(audit.map((entry) => entry.at).sort()).toEqual(
      [...facts(sleeper), ...facts(unknown)].map((fact) => fact.at).sort(),
    );
    expect(audit).toContainEqual({
      at: expect.any(Number),
      actor: "admin:alice",
      action: "command-started",
      detail: `shell.run ${sleeper}: started, attempt 1`,
    });
    // The cancel was bob's request: the fact that answers it is audited as his.
    expect(audit).toContainEqual(
      expect.objectContaining({ actor: "admin:bob", action: "command-cancelled" }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: "admin:alice",
        action: "command-rejected",
        detail: expect.stringContaining('unknown kind "firmware.flash"'),
      }),
    );
  });

  it("stopping the agent interrupts a running command instead of failing it", {
    timeout: 20_000,
  }, async () => {
    const { enqueue, engine, stateOf, factsOf } = await setUp();
    const sleeper = await enqueue({ kind: "shell.run", args: { command: "sleep 30" } });
    await engine.evaluate();
    await engine.stop();
    expect(stateOf(sleeper).status).toBe("interrupted");
    expect(factsOf(sleeper)).toEqual(["accepted", "started", "interrupted"]); // not idempotent: no retry
  });

  it("turns a command left running by a dead agent into interrupted, retrying only idempotent kinds", async () => {
    const { enqueue, engine, stateOf, device } = await setUp();
    const inventory = await enqueue({ kind: "inventory.collect" });
    const script = await enqueue({ kind: "shell.run", args: { command: "echo once" } });
    device.change((doc) => {
      for (const id of [inventory, script]) {
        recordFact(doc, id, { type: "accepted" }, { by: "agent:laptop-1", at: NOON });
        recordFact(doc, id, { type: "started", attempt: 1 }, { by: "agent:laptop-1", at: NOON });
      }
    });
    engine.recoverInterrupted();
    expect(stateOf(inventory).status).toBe("retry-wait");
    expect(stateOf(script).status).toBe("interrupted");
    // Waiting for its retry time is not a deferral: the retry keeps its schedule.
    await engine.evaluate();
    expect(stateOf(inventory).status).toBe("retry-wait");
  });

  it("also when the dead agent's `started` arrives later, by sync, after this one has started", async () => {
    const { enqueue, engine, stateOf, device } = await setUp();
    const script = await enqueue({
      kind: "shell.run",
      args: { command: "sleep 30" },
      window: "maintenance",
    });
    await engine.evaluate(); // deferred: outside the window
    device.change((doc) => {
      recordFact(doc, script, { type: "started", attempt: 1 }, { by: "agent:laptop-1", at: NOON });
    });
    await engine.evaluate();
    expect(stateOf(script).status).toBe("interrupted");
  });
});
