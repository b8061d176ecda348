/**
 * SIGKILL during a running command: the restarted agent stops the command's leftover
 * process group, records `interrupted`, and a command of a kind that is not idempotent is never
 * run a second time.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { groupExists } from "@outpost/agent";
import type { DeviceDoc } from "@outpost/shared-model";
import { eventsOf, fold, liveCommand } from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { AgentCli, certifiedAdmin, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

describe("an agent killed while a command runs", () => {
  it("records interrupted after the restart and never runs the non-idempotent command again", {
    timeout: 90_000,
  }, async () => {
    const fleet = await startFleet(cleanup);
    const agent = await AgentCli.create(cleanup, {
      name: "command-sigkill",
      relayUrl: fleet.relayUrl,
      enrollmentSecret: fleet.enrollmentSecret,
      sampleIntervalS: 1,
      logLevel: "debug",
    });
    const first = agent.start();
    await first.waitForLine((l) => l.msg === "connected to the relay", "the connection");
    const state = await agent.state();

    const admin = fleet.adminReplica();
    const device = await admin.find<DeviceDoc>(state.deviceDocUrl as AutomergeUrl);
    // Each run appends a line with its process group, so the test can count runs and clean up.
    const runs = join(agent.folder, "runs.txt");
    // Signed by alice's key, which the fleet's root (the one the agent pinned) certified.
    const alice = await certifiedAdmin(fleet.root, "alice");
    await alice.editPolicy(device, {
      allowShell: true,
      load: { cpuPercent: 100, memoryPercent: 100, diskBusyPercent: 100, sustainedS: 0 },
    });
    const id = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: `echo $$ >> ${runs}; sleep 60` },
    });
    const commandState = () => {
      const command = liveCommand(device.doc().commands, id);
      return command && fold(command.spec, command.events);
    };
    const status = () => commandState()?.status;
    // Killed while the command really runs: its shell has written its line.
    await eventually(
      async () => (await readFile(runs, "utf8").catch(() => "")) !== "",
      "the command running",
      30_000,
    ).catch((error: Error) => {
      // A refusal says why: an agent that pinned another root (or none) refuses alice's key.
      throw new Error(`${error.message}; admin sees ${JSON.stringify(commandState())}`);
    });
    await eventually(() => status() === "running", "the admin seeing it running");
    cleanup.defer(async () => {
      // The killed agent's command lives on in its own process group: end it.
      for (const pgid of (await readFile(runs, "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean)) {
        try {
          process.kill(-Number(pgid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
    first.child.kill("SIGKILL");
    await first.exited;

    const second = agent.start();
    await second.waitForLine((l) => l.msg === "connected to the relay", "the reconnection");
    await eventually(
      () => status() === "interrupted",
      "the admin seeing interrupted",
      30_000,
    ).catch((error) => {
      throw new Error(
        `${error.message}; admin sees ${status()}; agent log:\n${second.lines
          .filter((l) => l.level >= 30)
          .map((l) => l.msg)
          .join("\n")}`,
      );
    });
    // Three more scheduling rounds (each sample tick evaluates the queue): it must not start again.
    const ticks = () => second.lines.filter((l) => l.msg === "sample stored").length;
    const target = ticks() + 3;
    await eventually(() => ticks() >= target, "three more ticks of the restarted agent", 30_000);
    // (A `deferred` may come first: the load gate wants a reading before anything starts.)
    const facts = eventsOf(device.doc().commands, id).map((e) => e.type);
    expect(facts.filter((type) => type !== "deferred")).toEqual([
      "accepted",
      "started",
      "interrupted",
    ]);
    const pgids = (await readFile(runs, "utf8")).trim().split("\n");
    expect(pgids).toHaveLength(1);
    // The killed agent's command did not live on: the restart stopped its process group.
    expect(groupExists(Number(pgids[0]))).toBe(false);
    expect(second.lines.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(
        /^stopped process group \d+ of command .*left running by an agent that was killed$/,
      ),
    );
  });
});
