import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HeadTail } from "./head-tail.js";
import { NOT_RELEASED_EXIT_CODE, runLowPriority } from "./run-process.js";

const sh = (script: string, options: Partial<Parameters<typeof runLowPriority>[2]> = {}) =>
  runLowPriority("/bin/sh", ["-c", script], { timeoutMs: 10_000, ...options });

/** Running, as opposed to gone or a zombie waiting for a parent that may never reap it. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

describe("runLowPriority", () => {
  it("records exit code, output and duration", async () => {
    const run = await sh("echo out; echo err >&2; exit 3");
    expect(run).toMatchObject({ exitCode: 3, signal: null, stdout: "out\n", stderr: "err\n" });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.error).toBeUndefined();
  });

  it.each([
    ["started at once", {}],
    ["held until released", { onSpawn: () => {} }],
  ])("runs at nice 10 and idle I/O priority (%s)", async (_, options) => {
    const run = await sh("cat /proc/self/stat; /usr/bin/ionice -p $$", options);
    const [stat, ionice] = run.stdout.trim().split("\n");
    const fields = (stat ?? "").slice((stat ?? "").lastIndexOf(")") + 2).split(" ");
    expect(Number(fields[16])).toBe(10); // field 19 of /proc/<pid>/stat: nice
    expect(ionice).toBe("idle");
  });

  it("passes a sanitized environment, not the agent's", async () => {
    process.env.OUTPOST_TEST_SECRET = "do-not-leak";
    try {
      const run = await sh("env", { env: { OUTPOST_SCRIPT_ARG: "given" } });
      expect(run.stdout).not.toContain("do-not-leak");
      expect(run.stdout).toContain("OUTPOST_SCRIPT_ARG=given");
      expect(run.stdout).toMatch(/^PATH=\/usr\/local\/sbin:/m);
    } finally {
      delete process.env.OUTPOST_TEST_SECRET;
    }
  });

  it("kills the whole process tree on timeout", async () => {
    // Long enough for a loaded machine to start both and print the PID; far under sleep's 30 s.
    const run = await sh("sleep 30 & echo $!; wait", { timeoutMs: 2_000 });
    expect(run.error).toBe("timeout after 2000 ms");
    expect(run.signal).toBe("SIGTERM");
    const grandchild = Number(run.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    // SIGTERM was sent to the group; the grandchild is gone once the kernel has delivered it.
    await expect.poll(() => isRunning(grandchild), { timeout: 10_000 }).toBe(false);
  });

  it("kills it when cancelled", async () => {
    const controller = new AbortController();
    const running = sh("sleep 30", { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    expect(await running).toMatchObject({ error: "cancelled", signal: "SIGTERM" });
  });

  it("keeps the head and tail of a large output and says how much it left out", async () => {
    const run = await sh("head -c 100000 /dev/zero | tr '\\0' a; echo; echo END", {
      outputLimitBytes: 1024,
    });
    expect(run.stdout.startsWith("a".repeat(1024))).toBe(true);
    expect(run.stdout).toContain(`[${100_005 - 2048} bytes omitted]`);
    expect(run.stdout.endsWith("\nEND\n")).toBe(true);
  });

  it("holds the command until onSpawn has settled, in the group onSpawn was given", async () => {
    let releasedAt = 0;
    const run = await sh("date +%s%3N; echo $$", {
      onSpawn: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        releasedAt = Date.now();
      },
    });
    const [startedAt] = run.stdout.trim().split("\n");
    expect(run.exitCode).toBe(0);
    expect(Number(startedAt)).toBeGreaterThanOrEqual(releasedAt);
  });

  it("runs the command as the process group onSpawn was given", async () => {
    let spawned = 0;
    const run = await sh("echo $$; cut -d' ' -f5 /proc/$$/stat", {
      onSpawn: (pid) => {
        spawned = pid;
      },
    });
    const [pid, pgid] = run.stdout
      .trim()
      .split("\n")
      .map((line) => Number(line.trim()));
    expect(pid).toBe(spawned);
    expect(pgid).toBe(spawned);
  });

  it("never runs the command when onSpawn rejects", async () => {
    const folder = await mkdtemp(join(tmpdir(), "outpost-held-"));
    const marker = join(folder, "ran");
    const run = await sh(`touch ${marker}`, {
      onSpawn: async () => {
        throw new Error("the state file is not writable");
      },
    });
    expect(run).toMatchObject({
      exitCode: NOT_RELEASED_EXIT_CODE,
      error: "not started: the state file is not writable",
    });
    expect(existsSync(marker)).toBe(false);
    await rm(folder, { recursive: true });
  });

  it("reports a program that does not exist as a failed run, not a crash", async () => {
    const run = await runLowPriority("/nonexistent/tool", [], { timeoutMs: 5_000 });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr + (run.error ?? "")).toMatch(/No such file|ENOENT/);
  });
});

describe("HeadTail", () => {
  it("keeps everything when it fits", () => {
    const kept = new HeadTail(10);
    kept.push(Buffer.from("hello"));
    kept.push(Buffer.from(" world"));
    expect(kept.text()).toBe("hello world");
    expect(kept.totalBytes).toBe(11);
  });
});
