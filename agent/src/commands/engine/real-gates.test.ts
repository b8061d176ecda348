/**
 * The running agent's gates against this machine, nothing injected: the load read from /proc while
 * busy processes hold every core, and the process list from /proc while a copy of `sleep` named
 * `rsync` runs. A command waits with the right reason, and runs once the cause is gone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  type CommandId,
  type EnqueueInput,
  enqueueCommand,
  fold,
  updatePolicy,
} from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import type { Agent } from "../../runtime/agent.js";
import { eventually, startTestAgent, tempFolder } from "../../testing/agent-harness.js";
import { cleanupsAfterEach } from "../../testing/cleanups.js";
import { freePort } from "../../testing/free-port.js";
import { HYSTERESIS_POINTS } from "../gates/load-gate.js";
import { ALL_KINDS } from "../kinds/all.js";
import { FakeSystem } from "../kinds/testing/kind-contract.js";

const cleanups = cleanupsAfterEach();
const alice = () => ({ by: "admin:alice", at: Date.now() });

/** A real agent on the wall clock, sampling every second, offline (no relay is needed here). */
async function startAgent(): Promise<Agent> {
  const data = await tempFolder("real-gates");
  cleanups.push(data.remove);
  const agent = await startTestAgent({
    dataDirectory: data.path,
    relayUrl: `http://127.0.0.1:${await freePort()}`,
    sampleIntervalS: 1,
    commands: { kinds: ALL_KINDS, system: new FakeSystem(), scriptsFolder: data.path },
  });
  cleanups.push(() => agent.stop());
  agent.device.change((doc) =>
    updatePolicy(
      doc,
      {
        allowShell: true,
        // Only every core spinning crosses 90 %: other test files running in parallel (a core's
        // worth at most) neither hide the spinners nor keep the machine busy after them.
        load: { cpuPercent: 90, memoryPercent: 99, diskBusyPercent: 99, sustainedS: 1 },
      },
      alice(),
    ),
  );
  return agent;
}

function enqueue(agent: Agent, input: EnqueueInput): CommandId {
  let id: CommandId | undefined;
  agent.device.change((doc) => {
    id = enqueueCommand(doc, input, alice());
  });
  return id as CommandId;
}

function stateOf(agent: Agent, id: CommandId) {
  const command = agent.device.doc().commands[id];
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
  it("defers a command while busy processes hold every core, and runs it once they stop", {
    timeout: 60_000,
  }, async () => {
    const agent = await startAgent();
    const spinners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    cleanups.push(() => Promise.all(spinners.map(stopped)));
    const id = enqueue(agent, { kind: "shell.run", args: { command: "echo ran" } });
    await eventually(
      () => stateOf(agent, id).status === "deferred",
      "the command deferred",
      20_000,
    );
    // Three more seconds of ticks under load: still waiting, and for the load.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stateOf(agent, id)).toMatchObject({ status: "deferred", reason: "load" });

    await Promise.all(spinners.map(stopped));
    await eventually(() => stateOf(agent, id).status === "succeeded", "the command run", 30_000);
    const state = stateOf(agent, id);
    expect(state).toMatchObject({ outcome: { stdout: "ran\n" } });
    // It started on a calm machine: the reading it started on was under the calm bound.
    const metrics = state.status === "succeeded" ? state.outcome.metrics : undefined;
    expect(metrics?.cpuPercentBefore).toBeLessThan(90 - HYSTERESIS_POINTS);
    expect(metrics?.cpuPercentPeak).toBeGreaterThanOrEqual(0);
  });

  it("defers a command while a process named like a backup tool runs, and runs it after it exits", {
    timeout: 60_000,
  }, async () => {
    const agent = await startAgent();
    const folder = await tempFolder("rsync");
    cleanups.push(folder.remove);
    const rsync = join(folder.path, "rsync");
    await copyFile("/bin/sleep", rsync);
    const backup = spawn(rsync, ["60"], { stdio: "ignore" });
    cleanups.push(() => stopped(backup));
    await new Promise((resolve) => backup.once("spawn", resolve));

    const id = enqueue(agent, {
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
    await new Promise((resolve) => setTimeout(resolve, 2_000));
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
