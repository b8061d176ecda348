import { spawn } from "node:child_process";
import type { Cleanup } from "@outpost/shared-model/testing";

/**
 * A command's process group as the agent spawns it: its own group, a child inside it. Its SIGKILL
 * goes to `cleanup`, so nothing outlives the test even if the test does not stop it.
 */
export async function spawnProcessGroup(cleanup: Cleanup): Promise<number> {
  const child = spawn("/bin/sh", ["-c", "sleep 60 & wait"], { detached: true, stdio: "ignore" });
  await new Promise((resolve) => child.once("spawn", resolve));
  const pid = child.pid as number;
  cleanup.defer(async () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // stopped by the test
    }
  });
  return pid;
}
