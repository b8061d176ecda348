import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { groupExists, processStartTime, stopLeftoverGroup } from "./leftover-processes.js";
import { spawnProcessGroup } from "./testing/process-group.js";

const cleanup = cleanupAfterEach();

describe("processStartTime", () => {
  it("reads field 22, counting from the end of a command name with spaces and parentheses", async () => {
    const proc = await cleanup.tempFolder("proc");
    await mkdir(join(proc, "42"));
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3..52
    await writeFile(join(proc, "42", "stat"), `42 (my (odd) name) ${fields.join(" ")}\n`);
    expect(await processStartTime(42, proc)).toBe("22");
    expect(await processStartTime(43, proc)).toBeUndefined();
  });
});

describe.runIf(process.platform === "linux")("stopLeftoverGroup", () => {
  it("stops the whole group of the recorded process", { timeout: 15_000 }, async () => {
    const pid = await spawnProcessGroup(cleanup);
    const startTime = await processStartTime(pid);
    expect(startTime).toMatch(/^\d+$/);
    expect(await stopLeftoverGroup({ pid, startTime })).toBe(true);
    expect(groupExists(pid)).toBe(false);
  });

  it("leaves a process alone whose start time differs (its PID was reused)", async () => {
    const pid = await spawnProcessGroup(cleanup);
    expect(await stopLeftoverGroup({ pid, startTime: "1" })).toBe(false);
    expect(await stopLeftoverGroup({ pid })).toBe(false);
    expect(groupExists(pid)).toBe(true);
  });
});
