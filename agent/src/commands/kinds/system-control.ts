import { runLowPriority } from "../execution/run-process.js";
import type { SystemControl } from "./command-kind.js";

const TIMEOUT_MS = 120_000;

/**
 * The real machine: systemd on Linux, the service control manager on Windows, launchd on macOS.
 * Not exercised by the tests (restarting services or rebooting the test machine is not an option);
 * the kinds are tested against a fake with the same interface.
 */
export const realSystemControl: SystemControl = {
  restartService(name) {
    if (process.platform === "win32") {
      return runLowPriority(
        "powershell.exe",
        ["-NoProfile", "-Command", `Restart-Service -Name '${name}' -Force`],
        {
          timeoutMs: TIMEOUT_MS,
        },
      );
    }
    if (process.platform === "darwin") {
      return runLowPriority("/bin/launchctl", ["kickstart", "-k", `system/${name}`], {
        timeoutMs: TIMEOUT_MS,
      });
    }
    return runLowPriority("/usr/bin/systemctl", ["restart", name], { timeoutMs: TIMEOUT_MS });
  },
  reboot() {
    if (process.platform === "win32") {
      return runLowPriority("shutdown.exe", ["/r", "/t", "60", "/c", "Outpost maintenance"], {
        timeoutMs: TIMEOUT_MS,
      });
    }
    // A minute's notice: logged-in users see the wall message and can save their work.
    return runLowPriority("/sbin/shutdown", ["-r", "+1", "Outpost maintenance reboot"], {
      timeoutMs: TIMEOUT_MS,
    });
  },
};
