import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempFolder } from "../../testing/agent-harness.js";
import { cleanupsAfterEach } from "../../testing/cleanups.js";
import { groupExists, processStartTime, stopLeftoverGroup } from "./leftover-processes.js";
import { spawnProcessGroup } from "./testing/process-group.js";

const cleanups = cleanupsAfterEach();

describe("processStartTime", () => {
  it("reads field 22, counting from the end of a command name with spaces and parentheses", async () => {
    const proc = await tempFolder("proc");
    cleanups.push(proc.remove);
    await mkdir(join(proc.path, "42"));
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3..52
    await writeFile(join(proc.path, "42", "stat"), `42 (my (odd) name) ${fields.join(" ")}\n`);
    expect(await processStartTime(42, proc.path)).toBe("22");
    expect(await processStartTime(43, proc.path)).toBeUndefined();
  });
});

describe.runIf(process.platform === "linux")("stopLeftoverGroup", () => {
  it("stops the whole group of the recorded process", { timeout: 15_000 }, async () => {
    const pid = await spawnProcessGroup(cleanups);
    const startTime = await processStartTime(pid);
    expect(startTime).toMatch(/^\d+$/);
    expect(await stopLeftoverGroup({ pid, startTime })).toBe(true);
    expect(groupExists(pid)).toBe(false);
  });

  it("leaves a process alone whose start time differs (its PID was reused)", async () => {
    const pid = await spawnProcessGroup(cleanups);
    expect(await stopLeftoverGroup({ pid, startTime: "1" })).toBe(false);
    expect(await stopLeftoverGroup({ pid })).toBe(false);
    expect(groupExists(pid)).toBe(true);
  });
});
