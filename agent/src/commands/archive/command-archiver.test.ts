/**
 * Archiving in the agent (docs/ARCHITECTURE.md, "Archiving finished commands"): the command
 * engine with the agent's verdicts and a real fleet root, its archive record in a temp folder.
 * Commands signed by an admin run, a month passes on the agent's clock, and the archiver moves
 * them out; the queue goes on deciding by the marks, and no writer of the document can make an
 * archived command run again or a forged mark count.
 */
import type { AutomergeUrl } from "@automerge/automerge-repo";
import {
  type CommandArchiveDoc,
  type CommandId,
  DEFAULT_POLICY,
  eventsOf,
  fold,
  isArchived,
  liveCommand,
  plainEntry,
  silentLogger,
  validateCommandArchiveDoc,
} from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { memoryDevice } from "../../testing/memory-device.js";
import { memoryTrust } from "../../testing/memory-trust.js";
import { CommandEngine } from "../engine/command-engine.js";
import { QueueVerdicts } from "../engine/queue-verdicts.js";
import { OPEN } from "../gates/gate-result.js";
import { ALL_KINDS } from "../kinds/all.js";
import { fakeKindContext } from "../kinds/testing/kind-contract.js";
import { ArchiveRecord } from "./archive-record.js";
import { CommandArchiver } from "./command-archiver.js";

const cleanup = cleanupAfterEach();
const DAY = 86_400_000;

async function setUp() {
  const memory = await memoryDevice(cleanup, "archiver");
  const { device, repo, deviceId, folder } = memory;
  const fleet = await memoryTrust(memory);
  const alice = await fleet.admin("alice");
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const record = await ArchiveRecord.open(folder);
  const engine = new CommandEngine({
    device,
    repo,
    kinds: ALL_KINDS,
    actor: `agent:${deviceId}`,
    now,
    policy: () => ({ ...DEFAULT_POLICY, allowShell: true }),
    kindContext: (policy) => fakeKindContext({ policy }),
    gates: () => (_candidate, _kind, running) =>
      running.size === 0 ? OPEN : { open: false, reason: "concurrency", detail: "one at a time" },
    trust: new QueueVerdicts(fleet.trust, deviceId, record),
    logger: silentLogger,
  });
  cleanup.defer(() => engine.stop());
  const archiver = new CommandArchiver({
    repo,
    device,
    deviceId,
    record,
    now,
    retentionDays: 30,
    stateOf: engine.stateOf,
    logger: silentLogger,
  });
  const settle = async () => {
    for (let round = 0; round < 5; round += 1) {
      await engine.evaluate();
      await engine.idle();
    }
  };
  const statusOf = (id: CommandId) => {
    const stored = device.doc().commands[id];
    if (stored === undefined) return undefined;
    const entry = plainEntry(stored);
    return isArchived(entry)
      ? `archived ${entry.archived.status}`
      : fold(entry.spec, entry.events).status;
  };
  const monthLater = () => {
    clock.now += 31 * DAY;
  };
  const archive = () => engine.whileNotPlanning(() => archiver.archive());
  return {
    ...memory,
    alice,
    engine,
    archiver,
    archive,
    settle,
    statusOf,
    monthLater,
    record,
    clock,
  };
}

describe("the agent's command archiver", () => {
  it("moves finished commands past the retention into the month's archive; dependents and dedupe still see them", {
    timeout: 20_000,
  }, async () => {
    const { device, repo, folder, alice, settle, statusOf, monthLater, archive, deviceId } =
      await setUp();
    const ran = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo done" },
      dedupeKey: "cleanup",
    });
    const failed = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "exit 3" },
      retry: { maxAttempts: 1 },
    });
    await settle();
    expect([statusOf(ran), statusOf(failed)]).toEqual(["succeeded", "failed"]);
    // Not yet: the retention is 30 days.
    expect(await archive()).toBe(0);
    monthLater();
    expect(await archive()).toBe(2);
    expect([statusOf(ran), statusOf(failed)]).toEqual(["archived succeeded", "archived failed"]);
    const mark = device.doc().commands[ran];
    expect(mark && isArchived(mark) ? Object.keys(mark).sort() : mark).toEqual([
      "archived",
      "events",
    ]);

    // The archive holds each command whole, its signature included, and validates.
    const index = Object.values(device.doc().commandArchives ?? {});
    expect(index).toHaveLength(1);
    const archived = await repo.find<CommandArchiveDoc>(index[0]?.url as AutomergeUrl);
    const { value, problems } = validateCommandArchiveDoc(archived.doc());
    expect(problems).toEqual([]);
    expect(value?.deviceId).toBe(deviceId);
    expect(value?.commands[ran]?.status).toBe("succeeded");
    expect(value?.commands[ran]?.command.spec.signature).toMatch(/\./);
    expect(value?.commands[failed]?.command.events.map((event) => event.type)).toContain("failed");
    // And the agent's own record, on disk, says so.
    const reopened = await ArchiveRecord.open(folder);
    expect([reopened.monthOf(ran), reopened.monthOf(failed)]).toEqual([value?.month, value?.month]);

    // A dependent of the archived success runs; one of the archived failure is blocked; a new
    // twin of the archived run is superseded by it and never runs.
    const dependent = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo after" },
      dependsOn: [ran],
    });
    const doomed = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo never" },
      dependsOn: [failed],
    });
    const twin = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo again" },
      dedupeKey: "cleanup",
    });
    await settle();
    expect([statusOf(dependent), statusOf(doomed), statusOf(twin)]).toEqual([
      "succeeded",
      "blocked",
      "superseded",
    ]);
  });

  it("answers a cancel and a retry written to an archived command", {
    timeout: 20_000,
  }, async () => {
    const { device, alice, settle, monthLater, archive } = await setUp();
    const id = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "exit 1" },
      retry: { maxAttempts: 1 },
    });
    await settle();
    monthLater();
    await archive();
    const cancel = await alice.cancel(device, id);
    const retry = await alice.retry(device, id);
    await settle();
    const events = eventsOf(device.doc().commands, id);
    expect(
      events.map((event) => [event.type, "answers" in event ? event.answers : undefined]),
    ).toEqual([
      ["cancel-requested", undefined],
      ["retry-requested", undefined],
      ["cancel-too-late", cancel],
      ["retry-declined", retry],
    ]);
  });

  it("never runs an archived command written back, nor counts a mark it did not write", {
    timeout: 20_000,
  }, async () => {
    const { device, alice, settle, statusOf, monthLater, archive, clock } = await setUp();
    const ran = await alice.enqueue(device, { kind: "shell.run", args: { command: "echo once" } });
    await settle();
    const original = structuredClone(liveCommand(device.doc().commands, ran));
    monthLater();
    await archive();

    // Whoever can write the DeviceDoc puts the signed command back, as new.
    device.change((doc) => {
      delete doc.commands[ran];
      if (original) doc.commands[ran] = { ...original, events: [] };
    });
    await settle();
    expect(statusOf(ran)).toBe("rejected");
    const replayed = liveCommand(device.doc().commands, ran);
    expect(replayed && fold(replayed.spec, replayed.events)).toMatchObject({
      status: "rejected",
      reason: expect.stringMatching(/^archived-replay: this agent archived/),
      attempts: 0,
    });

    // A forged mark says a failed dependency succeeded: its dependent waits, it does not run.
    const failedAfter = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "exit 4" },
      retry: { maxAttempts: 1 },
    });
    await settle();
    expect(statusOf(failedAfter)).toBe("failed");
    device.change((doc) => {
      const entry = doc.commands[failedAfter];
      if (entry === undefined || isArchived(entry)) return;
      const forged = entry as unknown as Record<string, unknown>;
      delete forged.spec;
      delete forged.priority;
      entry.events.splice(0, entry.events.length);
      forged.archived = {
        month: "2026-01",
        at: clock.now,
        status: "succeeded",
        createdAt: 0,
        started: true,
      };
    });
    const dependent = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo must-not-run" },
      dependsOn: [failedAfter],
    });
    await settle();
    expect(statusOf(dependent)).toBe("deferred");
    const held = liveCommand(device.doc().commands, dependent);
    expect(held && fold(held.spec, held.events)).toMatchObject({
      reason: "dependencies",
      detail: expect.stringContaining(`${failedAfter} (not on this device yet)`),
      attempts: 0,
    });
  });

  it("after a crash between its record and its marks, forgets what it did not mark, so a retry runs", {
    timeout: 20_000,
  }, async () => {
    const { device, folder, alice, settle, statusOf, monthLater, archive, record } = await setUp();
    const ran = await alice.enqueue(device, { kind: "shell.run", args: { command: "echo a" } });
    const failed = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "exit 2" },
      retry: { maxAttempts: 1 },
    });
    await settle();
    monthLater();
    // The agent dies once the batch is recorded, before a single mark is written.
    const add = record.add.bind(record);
    record.add = async (...args) => {
      await add(...args);
      throw new Error("killed");
    };
    await expect(archive()).rejects.toThrow("killed");
    record.add = add;
    expect([statusOf(ran), statusOf(failed)]).toEqual(["succeeded", "failed"]);
    expect([...(await ArchiveRecord.open(folder)).pending].sort()).toEqual([ran, failed].sort());
    const crashMonth = record.monthOf(ran);
    const crashArchive = crashMonth && record.urlOf(crashMonth);

    // The next start settles the record against the document as the agent left it.
    const isMarked = (id: CommandId) => {
      const entry = device.doc().commands[id];
      return entry !== undefined && isArchived(entry);
    };
    expect((await record.reconcile(isMarked)).sort()).toEqual([ran, failed].sort());
    const onDisk = await ArchiveRecord.open(folder);
    expect([onDisk.pending, onDisk.monthOf(ran), onDisk.monthOf(failed)]).toEqual([
      [],
      undefined,
      undefined,
    ]);

    // An admin's retry of the command the crash left live runs it again; it is no replay.
    await alice.retry(device, failed);
    await settle();
    const retried = liveCommand(device.doc().commands, failed);
    expect(retried && fold(retried.spec, retried.events)).toMatchObject({
      status: "failed",
      attempts: 2,
    });
    // And archiving goes on, into the month document the interrupted run had made.
    monthLater();
    expect(await archive()).toBe(2);
    expect([statusOf(ran), statusOf(failed)]).toEqual(["archived succeeded", "archived failed"]);
    expect(device.doc().commandArchives?.[crashMonth as never]?.url).toBe(crashArchive);
  });

  it("after a crash between its marks and settling its record, keeps every marked command", {
    timeout: 20_000,
  }, async () => {
    const { device, folder, alice, settle, monthLater, archive, record } = await setUp();
    const ran = await alice.enqueue(device, { kind: "shell.run", args: { command: "echo a" } });
    await settle();
    monthLater();
    const settleRecord = record.settle.bind(record);
    record.settle = async () => {
      throw new Error("killed");
    };
    await expect(archive()).rejects.toThrow("killed");
    record.settle = settleRecord;
    const reopened = await ArchiveRecord.open(folder);
    expect(reopened.pending).toEqual([ran]);
    const forgotten = await reopened.reconcile((id) => {
      const entry = device.doc().commands[id];
      return entry !== undefined && isArchived(entry);
    });
    expect(forgotten).toEqual([]);
    const onDisk = await ArchiveRecord.open(folder);
    expect([onDisk.pending, onDisk.monthOf(ran)]).toEqual([[], reopened.monthOf(ran)]);
    expect(onDisk.monthOf(ran)).toMatch(/^\d{4}-\d{2}$/);
  });
});
