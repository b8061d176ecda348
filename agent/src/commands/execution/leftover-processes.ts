import { readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

/** A command's process group as the agent records it while the command runs. */
export interface RecordedProcess {
  /** The process group leader, which is the spawned child (commands run in their own group). */
  pid: number;
  /** Its start time (Linux: clock ticks since boot), so a reused PID is never mistaken for it. */
  startTime?: string;
}

/** How long a leftover group gets to exit after SIGTERM before SIGKILL. */
const GRACE_MS = 5_000;

/**
 * The start time of `pid` from `/proc/<pid>/stat` (field 22), or `undefined` when it is gone or
 * there is no /proc. The command name in field 2 may hold spaces and parentheses, so fields are
 * counted from its closing parenthesis.
 */
export async function processStartTime(
  pid: number,
  procRoot = "/proc",
): Promise<string | undefined> {
  const stat = await readFile(`${procRoot}/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (state); field 22 is therefore afterName[19].
  return afterName[19];
}

/**
 * Ends a command's process group that a previous agent process left behind (it was killed, so
 * nobody stopped its command): SIGTERM, then SIGKILL after a grace period. Only when the group
 * leader is provably the same process (same start time); without /proc, nothing is killed.
 *
 * @returns `true` when it found the group and stopped it.
 */
export async function stopLeftoverGroup(
  recorded: RecordedProcess,
  options: { procRoot?: string; graceMs?: number } = {},
): Promise<boolean> {
  const startTime = await processStartTime(recorded.pid, options.procRoot);
  if (startTime === undefined || startTime !== recorded.startTime) return false;
  signalGroup(recorded.pid, "SIGTERM");
  const deadline = Date.now() + (options.graceMs ?? GRACE_MS);
  while (groupExists(recorded.pid) && Date.now() < deadline) await delay(100);
  if (groupExists(recorded.pid)) signalGroup(recorded.pid, "SIGKILL");
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}

/** True while any process of the group `pid` exists (Unix). */
export function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
