import { readdir, readFile } from "node:fs/promises";
import si from "systeminformation";
import { type GateResult, OPEN } from "./gate-result.js";

/**
 * Process names (case-insensitive regular expressions, anchored to the whole name) of operations
 * a command must not run alongside: backups, antivirus scans, package managers and OS updates.
 * Policy's `criticalProcessPatterns` adds to these.
 */
export const DEFAULT_CRITICAL_PATTERNS: Readonly<
  Partial<Record<NodeJS.Platform, readonly string[]>>
> = {
  linux: [
    // backups
    "rsync",
    "borg",
    "restic",
    "duplicity",
    "rsnapshot",
    "bacula-fd",
    "tar",
    // antivirus
    "clamscan",
    "clamdscan",
    "freshclam",
    // package managers and OS updates
    "apt",
    "apt-get",
    "aptitude",
    "dpkg",
    "unattended-upgr.*",
    "yum",
    "dnf",
    "rpm",
    "zypper",
    "pacman",
    "snapd?",
    "flatpak",
    "packagekitd",
    "fwupd",
  ],
  win32: [
    "wbengine(\\.exe)?",
    "veeam.*",
    "mpcmdrun(\\.exe)?",
    "msiexec(\\.exe)?",
    "tiworker(\\.exe)?",
    "trustedinstaller(\\.exe)?",
    "wuauclt(\\.exe)?",
    "usoclient(\\.exe)?",
  ],
  darwin: ["backupd", "softwareupdated?", "installd", "xprotect.*", "mrt"],
};

/** A running process as the gate sees it. */
export interface RunningProcess {
  pid: number;
  name: string;
}

/**
 * The running processes from `/proc/<pid>/comm` (Linux): no child process, a few ms. Elsewhere
 * the caller supplies another source (systeminformation's process list).
 */
export async function linuxProcesses(procRoot = "/proc"): Promise<RunningProcess[]> {
  const pids = (await readdir(procRoot)).filter((entry) => /^\d+$/.test(entry));
  const processes = await Promise.all(
    pids.map((pid) =>
      readFile(`${procRoot}/${pid}/comm`, "utf8").then(
        (name) => ({ pid: Number(pid), name: name.trim() }),
        () => undefined, // exited between readdir and read
      ),
    ),
  );
  return processes.filter((p): p is RunningProcess => p !== undefined && p.name !== "");
}

/**
 * The running processes' names where there is no `/proc` (macOS: `ps`; Windows: WMI), through
 * systeminformation. Slower than {@link linuxProcesses} (tens of ms, a child process), and read
 * once per evaluation that has a command to gate.
 */
export async function systemProcessNames(): Promise<string[]> {
  const { list } = await si.processes();
  return list.map((process) => process.name).filter((name) => name !== "");
}

/** Compiles whole-name, case-insensitive matchers; a pattern that is not a valid regex is skipped. */
export function compilePatterns(patterns: readonly string[]): RegExp[] {
  return patterns.flatMap((pattern) => {
    try {
      return [new RegExp(`^(?:${pattern})$`, "i")];
    } catch {
      return []; // policy validation reports it; one bad pattern must not stop the others
    }
  });
}

/**
 * The critical-operations gate: closed while any process whose name matches runs, naming them.
 */
export function criticalOperationsGate(
  running: readonly string[],
  matchers: readonly RegExp[],
): GateResult {
  const found = [...new Set(running.filter((name) => matchers.some((m) => m.test(name))))].sort();
  if (found.length === 0) return OPEN;
  return {
    open: false,
    reason: "critical-operation",
    detail: `waits for ${found.join(", ")} to finish (backup, antivirus or update running)`,
  };
}
