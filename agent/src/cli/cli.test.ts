/**
 * `outpost-agent` as an admin runs it: run, collect --once, status, and the mistakes each must
 * explain with a non-zero exit.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cleanupAfterEach, freePort } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { spawnAgent } from "../testing/agent-child.js";

const CLI = new URL("main.ts", import.meta.url).pathname;

const cleanup = cleanupAfterEach();

function run(...args: string[]) {
  return promisify(execFile)(process.execPath, ["--import", "tsx", CLI, ...args], {
    env: { ...process.env, INIT_CWD: "" },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

async function configIn(folder: string, extra = ""): Promise<string> {
  const path = join(folder, "agent.toml");
  await writeFile(
    path,
    `relay_url = "http://127.0.0.1:${await freePort()}"\nenrollment_secret = "ops_x"\ndata = "data"\nsample_interval_seconds = 1\n${extra}`,
  );
  return path;
}

describe("outpost-agent", () => {
  it("run: a bad config is exit 2 with the file, key and what was expected", async () => {
    const folder = await cleanup.tempFolder("cli-bad");
    const path = await configIn(folder, "retain_dayz = 3\n");
    const result = await run("run", "--config", path);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`outpost-agent: ${path}: unknown key retain_dayz\n`);
  });

  it("run: an unknown collector is exit 2 naming the file, the key and the known ones", async () => {
    const folder = await cleanup.tempFolder("cli-collectors");
    const path = await configIn(folder, 'collectors = ["cpu", "gpu"]\n');
    const result = await run("run", "--config", path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^outpost-agent: ${path}: collectors: unknown collector "gpu"; known: cpu, memory,`,
      ),
    );
  });

  // One test a case: each starts the CLI from source (about 1.5 s, several on a busy machine).
  it.each(
    [
      ["run"],
      ["collect"],
      ["status"],
      ["frobnicate"],
      ["run", "--cofig", "x"],
      ["service"],
      ["service", "start"],
      ["service", "uninstall", "--purge"],
      // From the source tree: a service runs the installable bundle, never this.
      ["service", "install", "--config", "agent.toml"],
    ].map((args) => ({ args, line: args.join(" ") })),
  )("a mistake in the command line is exit 2 with the usage: $line", async ({ args }) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: outpost-agent");
  });

  it("status says there is nothing yet before the first run, then what the replica holds", {
    timeout: 60_000,
  }, async () => {
    const folder = await cleanup.tempFolder("cli-status");
    const config = await configIn(folder);
    const before = await run("status", "--config", config);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`no agent data in ${join(folder, "data")} yet`);

    const agent = spawnAgent(["run", "--config", config], { OUTPOST_LOG_LEVEL: "debug" });
    cleanup.defer(async () => {
      agent.child.kill("SIGKILL");
      await agent.exited;
    });
    await agent.waitForLine((l) => l.msg.startsWith("opened telemetry day"), "the first day");

    // A second agent on the same folder is refused; the first keeps running.
    const second = await run("run", "--config", config);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use by another outpost-agent \(PID \d+\)/);

    // Read while the agent runs (the store is opened read-only).
    const status = await run("status", "--config", config, "--json");
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      enrolledWith: string | null;
      days: { onDisk: boolean; closed: boolean }[];
      samplesNotStored: number;
      queue: Record<string, number>;
    };
    expect(parsed.enrolledWith).toBeNull(); // its relay is down
    expect(parsed.days).toMatchObject([{ onDisk: true, closed: false }]);
    expect(parsed.samplesNotStored).toBeGreaterThanOrEqual(0);
    expect(parsed.queue).toEqual({});

    agent.child.kill("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    const text = await run("status", "--config", config);
    expect(text.stdout).toMatch(/samples not yet stored by the relay: [1-9]\d*\n/);
    expect(text.stdout).toContain("relay: not enrolled yet");
  });

  it("collect --once prints one real sample and the inventory as JSON", {
    timeout: 30_000,
  }, async () => {
    const result = await run("collect", "--once");
    expect(result.code).toBe(0);
    const { sample, inventory } = JSON.parse(result.stdout) as {
      sample: { at: number; values: Record<string, number> };
      inventory: { os: { platform: string }; hardware: { cores: number } };
    };
    expect(sample.values).toMatchObject({
      cpu: expect.any(Number),
      memory: expect.any(Number),
      disk: expect.any(Number),
      online: 0,
    });
    expect(inventory.os.platform).toBe(process.platform);
    expect(inventory.hardware.cores).toBeGreaterThan(0);
  });
});
