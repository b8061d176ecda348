import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { messageOf } from "@outpost/shared-model";

const COLLECTD = "/usr/sbin/collectd";
const TYPES_DB = "/usr/share/collectd/types.db";

/**
 * collectd, installed from Debian's `collectd-core` if missing (as root), or a reason it cannot
 * run here.
 */
export function ensureCollectd(log: (line: string) => void): string | undefined {
  if (existsSync(COLLECTD)) return undefined;
  if (process.getuid?.() !== 0) return "collectd is not installed and installing it needs root";
  log("installing collectd-core (apt-get)…");
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "collectd-core"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore" });
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "collectd-core"], {
        stdio: "ignore",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    } catch (error) {
      return `apt-get install collectd-core failed: ${messageOf(error)}`;
    }
  }
  return existsSync(COLLECTD) ? undefined : "collectd-core installed no /usr/sbin/collectd";
}

/**
 * Starts collectd in the foreground with the plugins the issue names (cpu, memory, df, interface,
 * load) at `intervalS`, writing CSV files into `folder` as its storage, as the agent writes its
 * own documents.
 */
export async function startCollectd(folder: string, intervalS: number): Promise<ChildProcess> {
  await mkdir(join(folder, "csv"), { recursive: true });
  const config = join(folder, "collectd.conf");
  await writeFile(
    config,
    `BaseDir "${folder}"
PIDFile "${join(folder, "collectd.pid")}"
TypesDB "${TYPES_DB}"
Interval ${intervalS}
LoadPlugin cpu
LoadPlugin memory
LoadPlugin df
LoadPlugin interface
LoadPlugin load
LoadPlugin csv
<Plugin csv>
  DataDir "${join(folder, "csv")}"
  StoreRates true
</Plugin>
`,
  );
  const child = spawn(COLLECTD, ["-f", "-C", config], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  if (child.exitCode !== null) throw new Error(`collectd exited at start (${child.exitCode})`);
  return child;
}
