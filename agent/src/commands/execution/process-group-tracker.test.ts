import { join } from "node:path";
import { type CommandId, parseDeviceId, silentLogger } from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { AgentStateStore } from "../../state/agent-state.js";
import { groupExists, processStartTime } from "./leftover-processes.js";
import { ProcessGroupTracker } from "./process-group-tracker.js";
import { spawnProcessGroup } from "./testing/process-group.js";

const cleanup = cleanupAfterEach();
const COMMAND = "c-01" as CommandId;

/** An agent state file in a fresh folder, as a running agent has it. */
async function openStore(): Promise<{ store: AgentStateStore; folder: string }> {
  const folder = await cleanup.tempFolder("process-groups");
  const store = await AgentStateStore.open(folder, () => ({
    version: 1,
    deviceId: parseDeviceId("laptop-1"),
    deviceDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
    createdAt: 0,
    days: {},
  }));
  cleanup.defer(() => store.flush());
  return { store, folder: folder };
}

describe.runIf(process.platform === "linux")("ProcessGroupTracker", () => {
  it("has the group on disk before the command starts, and forgets it once it ends", async () => {
    const { store, folder } = await openStore();
    const tracker = new ProcessGroupTracker({ store, logger: silentLogger });
    // The command prints its own PID and the state file as it finds it when it starts.
    const run = await tracker.run(
      COMMAND,
      "/bin/sh",
      ["-c", `echo $$; cat '${join(folder, "agent-state.json")}'`],
      { timeoutMs: 10_000 },
    );
    const [pid, ...state] = run.stdout.split("\n");
    const onDisk = JSON.parse(state.join("\n"));
    expect(onDisk.commandProcesses[COMMAND]).toEqual({
      pid: Number(pid),
      startTime: expect.stringMatching(/^\d+$/),
    });
    expect(store.state.commandProcesses?.[COMMAND]).toBeUndefined();
  });

  it("stops the groups a killed agent left and clears their records on disk", {
    timeout: 15_000,
  }, async () => {
    const { store, folder } = await openStore();
    const left = await spawnProcessGroup(cleanup);
    const reused = await spawnProcessGroup(cleanup);
    const startTime = await processStartTime(left);
    store.update((state) => {
      state.commandProcesses = {
        "c-left": { pid: left, startTime },
        "c-reused": { pid: reused, startTime: "1" },
      };
    });
    await new ProcessGroupTracker({ store, logger: silentLogger }).stopLeftovers();
    expect(groupExists(left)).toBe(false);
    expect(groupExists(reused)).toBe(true);
    expect((await AgentStateStore.read(folder))?.commandProcesses).toBeUndefined();
  });
});
