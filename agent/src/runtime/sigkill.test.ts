/**
 * SIGKILL: the agent process is killed 20 times at random moments while sampling. Each
 * restart loads cleanly (no error logged, same device, sampling again) and the replica keeps
 * every sample the agent had flushed before each kill.
 */
import { join } from "node:path";
import { seededRandom } from "@outpost/shared-model";
import { cleanupAfterEach, freePort, LEVEL } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { writeAgentConfig } from "../config/write-agent-config.js";
import { spawnAgent } from "../testing/agent-child.js";
import { readStoredSampleTimes } from "../testing/agent-disk.js";

const KILLS = 20;

const cleanup = cleanupAfterEach();

describe("an agent killed with SIGKILL", () => {
  // 20 starts from source: 60-90 s here, more on a loaded CI machine.
  it(`loses no flushed sample over ${KILLS} kills at random moments`, {
    timeout: 360_000,
  }, async () => {
    const data = await cleanup.tempFolder("sigkill");
    const config = join(data, "agent.toml");
    // No relay listens there: the agent samples offline, as a field device would.
    await writeAgentConfig(config, {
      relay_url: `http://127.0.0.1:${await freePort()}`,
      enrollment_secret: "ops_not-reachable",
      data: "data",
      sample_interval_seconds: 10,
      log_level: "debug",
    });
    // 50× time: a tick every 200 ms of real time, the same timeline across restarts.
    const env = { OUTPOST_AGENT_CLOCK_SPEED: "50", OUTPOST_AGENT_CLOCK_ORIGIN: String(Date.now()) };
    const random = seededRandom(20261121);
    const flushed: number[] = [];
    const deviceIds = new Set<unknown>();

    for (let run = 0; run < KILLS; run += 1) {
      const agent = spawnAgent(["run", "--config", config], env);
      cleanup.defer(async () => {
        agent.child.kill("SIGKILL");
        await agent.exited;
      });
      const started = await agent.waitForLine((l) => l.msg.includes("starting"), "start-up");
      deviceIds.add(started.deviceId);
      await agent.waitForLine((l) => l.msg === "sample stored", "a sample");
      // A random moment: mid-collection, mid-change, mid-flush or between ticks.
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 900));
      agent.child.kill("SIGKILL");
      expect((await agent.exited).signal).toBe("SIGKILL");
      flushed.push(
        ...agent.lines.filter((l) => l.msg === "sample stored").map((l) => l.at as number),
      );
      expect(
        agent.lines.filter((l) => l.level >= LEVEL.error),
        `run ${run}`,
      ).toEqual([]);
    }

    expect(deviceIds.size).toBe(1);
    const stored = new Set(await readStoredSampleTimes(join(data, "data")));
    const lost = flushed.filter((at) => !stored.has(at));
    expect(lost).toEqual([]);
    expect(flushed.length).toBeGreaterThan(KILLS);
  });
});
