import { spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { CommandId } from "@outpost/shared-model";
import { cleanupAfterEach } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import {
  compilePatterns,
  criticalOperationsGate,
  DEFAULT_CRITICAL_PATTERNS,
  linuxProcesses,
  systemProcessNames,
} from "./critical-operations.js";
import { lockGate } from "./locks.js";

const cleanup = cleanupAfterEach();
const linux = compilePatterns(DEFAULT_CRITICAL_PATTERNS.linux ?? []);

describe("criticalOperationsGate", () => {
  it("closes while a backup, scan or update runs, naming it; whole names only", () => {
    expect(criticalOperationsGate(["systemd", "bash", "rsync", "rsync"], linux)).toEqual({
      open: false,
      reason: "critical-operation",
      detail: "waits for rsync to finish (backup, antivirus or update running)",
    });
    expect(criticalOperationsGate(["unattended-upgrade-shutdown", "APT"], linux).open).toBe(false);
    // `rsyncd` and `aptd-helper` are other programs
    expect(criticalOperationsGate(["rsyncd", "aptd-helper", "firefox"], linux)).toEqual({
      open: true,
    });
  });

  it("adds policy patterns, case-insensitive, and skips one that is not a valid regex", () => {
    const matchers = compilePatterns(["VeeamAgent", "([broken"]);
    expect(criticalOperationsGate(["veeamagent"], matchers).open).toBe(false);
    expect(matchers).toHaveLength(1);
  });
});

describe("linuxProcesses", () => {
  it("reads /proc/<pid>/comm of numeric entries only", async () => {
    const processes = await linuxProcesses(new URL("testdata/proc", import.meta.url).pathname);
    expect(processes.sort((a, b) => a.pid - b.pid)).toEqual([
      { pid: 1, name: "systemd" },
      { pid: 42, name: "rsync" },
      { pid: 77, name: "bash" },
    ]);
  });

  it("sees a real process named like a backup tool, and no longer once it exits", async () => {
    const folder = await cleanup.tempFolder("critical");
    const rsync = join(folder, "rsync");
    await copyFile("/bin/sleep", rsync);
    const child = spawn(rsync, ["30"], { stdio: "ignore" });
    cleanup.defer(async () => void child.kill("SIGKILL"));
    await new Promise((resolve) => child.once("spawn", resolve));
    const running = await linuxProcesses();
    expect(running).toContainEqual({ pid: child.pid, name: "rsync" });
    expect(
      criticalOperationsGate(
        running.map((p) => p.name),
        linux,
      ).open,
    ).toBe(false);
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    expect((await linuxProcesses()).map((p) => p.pid)).not.toContain(child.pid);
  });
});

describe("systemProcessNames (macOS and Windows; run here through ps)", () => {
  it("lists a running process by name", async () => {
    const folder = await cleanup.tempFolder("critical-si");
    const borg = join(folder, "borg");
    await copyFile("/bin/sleep", borg);
    const child = spawn(borg, ["30"], { stdio: "ignore" });
    cleanup.defer(async () => void child.kill("SIGKILL"));
    await new Promise((resolve) => child.once("spawn", resolve));
    expect(await systemProcessNames()).toContain("borg");
  });
});

describe("lockGate", () => {
  it("closes only for the lock another running command holds", () => {
    const held = new Map([["backup", "cmd-a" as CommandId]]);
    expect(lockGate(undefined, held)).toEqual({ open: true });
    expect(lockGate("updates", held)).toEqual({ open: true });
    expect(lockGate("backup", held)).toEqual({
      open: false,
      reason: "lock",
      detail: 'waits for lock "backup", held by cmd-a',
    });
  });
});
