/**
 * The running agent's gates against this machine, nothing injected: the load read from /proc while
 * busy processes hold every core, and the process list from /proc while a copy of `sleep` named
 * `rsync` runs. A command waits with the right reason, and runs once the cause is gone.
 *
 * The test cannot make the machine calm (CI may run anything beside it), only busier, so a real
 * reading is trusted only to be high while every core spins; what calm means is the load gate's
 * own test, over scripted readings.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type CommandId, type EnqueueInput, fold, liveCommand } from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  freePort,
  recordingLogger,
  testRoot,
} from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import type { Agent, AgentCommandOptions } from "../../runtime/agent.js";
import { agentTrustFor } from "../../testing/agent-trust-doc.js";
import { SignedAdmin } from "../../testing/signed-admin.js";
import { startTestAgent } from "../../testing/test-agent.js";
import { ALL_KINDS } from "../kinds/all.js";
import { FakeSystem } from "../kinds/testing/kind-contract.js";

const cleanup = cleanupAfterEach();

/**
 * A real agent on the wall clock, sampling every second, offline (no relay is needed here), with
 * the load and process list read from /proc unless `commands` says otherwise, pinned to a test
 * fleet's root; `alice` is an admin of that fleet. `ticks()` counts its samples, each followed
 * by an evaluation of the queue.
 */
async function startAgent(
  commands: Partial<AgentCommandOptions> = {},
): Promise<{ agent: Agent; alice: SignedAdmin; ticks: () => number }> {
  const data = await cleanup.tempFolder("real-gates");
  const { logger, lines } = recordingLogger();
  const root = await testRoot();
  const agent = await startTestAgent({
    dataDirectory: data,
    relayUrl: `http://127.0.0.1:${await freePort()}`,
    sampleIntervalS: 1,
    logger,
    commands: { kinds: ALL_KINDS, system: new FakeSystem(), scriptsFolder: data, ...commands },
    trust: await agentTrustFor(root, data),
  });
  cleanup.defer(() => agent.stop());
  const alice = new SignedAdmin(await root.adminSigner("alice"));
  await alice.editPolicy(agent.device, {
    allowShell: true,
    // Every core spinning is over 90 % whatever else runs (more load only keeps it there).
    load: { cpuPercent: 90, memoryPercent: 99, diskBusyPercent: 99, sustainedS: 1 },
  });
  const ticks = () => lines.filter((line) => line.msg === "sample stored").length;
  return { agent, alice, ticks };
}

/** Resolves once the agent has sampled (and evaluated its queue) `count` more times. */
async function moreTicks(ticks: () => number, count: number): Promise<void> {
  const target = ticks() + count;
  await eventually(() => ticks() >= target, `${count} more ticks`, 20_000);
}

function enqueue(agent: Agent, alice: SignedAdmin, input: EnqueueInput): Promise<CommandId> {
  return alice.enqueue(agent.device, input);
}

function stateOf(agent: Agent, id: CommandId) {
  const command = liveCommand(agent.device.doc().commands, id);
  if (command === undefined) throw new Error(`no command ${id}`);
  return fold(command.spec, command.events);
}

/** Kills `child` and resolves once it is gone (at once if it already is). */
function stopped(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  return exited;
}

describe.runIf(process.platform === "linux")("the agent's gates on this machine", () => {
  it("defers a command while busy processes hold every core, and runs it once the limit allows", {
    timeout: 60_000,
  }, async () => {
    const { agent, alice, ticks } = await startAgent();
    const spinners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    cleanup.defer(() => Promise.all(spinners.map(stopped)));
    const id = await enqueue(agent, alice, { kind: "shell.run", args: { command: "echo ran" } });
    await eventually(
      () => stateOf(agent, id).status === "deferred",
      "the command deferred",
      20_000,
    );
    // Three more ticks under load: still waiting, and for the load, read from /proc.
    await moreTicks(ticks, 3);
    expect(stateOf(agent, id)).toMatchObject({ status: "deferred", reason: "load" });

    // Whether the machine is calm once they stop depends on what else runs on it; an admin lifting
    // the limit (100 % is none) releases the command at the next evaluation, whatever the load.
    await Promise.all(spinners.map(stopped));
    await alice.editPolicy(agent.device, {
      load: { cpuPercent: 100, memoryPercent: 99, diskBusyPercent: 99, sustainedS: 1 },
    });
    await eventually(() => stateOf(agent, id).status === "succeeded", "the command run", 30_000);
    const state = stateOf(agent, id);
    expect(state).toMatchObject({ outcome: { stdout: "ran\n" } });
    // The load around the run was read from /proc too.
    const metrics = state.status === "succeeded" ? state.outcome.metrics : undefined;
    expect(metrics?.cpuPercentBefore).toBeGreaterThanOrEqual(0);
    expect(metrics?.cpuPercentPeak).toBeGreaterThanOrEqual(0);
  });

  it("defers a command while a process named like a backup tool runs, and runs it after it exits", {
    timeout: 60_000,
  }, async () => {
    // A calm machine by injection: the load gate comes before this one, and the real load of a
    // shared machine is not this test's subject.
    const { agent, alice, ticks } = await startAgent({
      loadSource: () => ({
        read: async () => ({
          at: Date.now(),
          cpuPercent: 3,
          memoryPercent: 20,
          diskBusyPercent: 1,
        }),
      }),
    });
    const folder = await cleanup.tempFolder("rsync");
    const rsync = join(folder, "rsync");
    await copyFile("/bin/sleep", rsync);
    const backup = spawn(rsync, ["60"], { stdio: "ignore" });
    cleanup.defer(() => stopped(backup));
    await new Promise((resolve) => backup.once("spawn", resolve));

    const id = await enqueue(agent, alice, {
      kind: "shell.run",
      args: { command: "echo after the backup" },
      lock: "backup",
    });
    // Deferred at first for the load (no reading yet); then, with the machine calm, for rsync.
    const reason = () => {
      const state = stateOf(agent, id);
      return state.status === "deferred" ? state.reason : undefined;
    };
    await eventually(() => reason() === "critical-operation", "deferral for the backup", 20_000);
    await moreTicks(ticks, 2);
    expect(stateOf(agent, id)).toMatchObject({
      status: "deferred",
      reason: "critical-operation",
      detail: expect.stringContaining("rsync"),
    });

    await stopped(backup);
    await eventually(() => stateOf(agent, id).status === "succeeded", "the command run", 30_000);
    expect(stateOf(agent, id)).toMatchObject({ outcome: { stdout: "after the backup\n" } });
  });
});
