import { LAUNCHD_LOG_PATH, LAUNCHD_PLIST_PATH, renderLaunchdPlist } from "./launchd-plist.js";
import type { ServiceHost } from "./service-host.js";
import { requireAdmin, runChecked, type ServiceManager } from "./service-manager.js";
import { LAUNCHD_LABEL, type ServiceSpec } from "./service-spec.js";

const TARGET = `system/${LAUNCHD_LABEL}`;

/** The agent as a launchd daemon (macOS). */
export function launchdService(host: ServiceHost): ServiceManager {
  return {
    async install(spec: ServiceSpec) {
      requireAdmin(host, "Installing");
      const done: string[] = [];
      await host.makeDirectory(spec.data, 0o700);
      if (await host.exists(LAUNCHD_PLIST_PATH)) {
        await host.run("launchctl", ["bootout", TARGET]);
        done.push(`stopped the installed ${LAUNCHD_LABEL}`);
      }
      await host.writeText(LAUNCHD_PLIST_PATH, renderLaunchdPlist(spec), 0o644);
      done.push(`wrote ${LAUNCHD_PLIST_PATH}`);
      await runChecked(host, "launchctl", ["bootstrap", "system", LAUNCHD_PLIST_PATH]);
      await runChecked(host, "launchctl", ["enable", TARGET]);
      done.push(`loaded and started ${LAUNCHD_LABEL}; its log is ${LAUNCHD_LOG_PATH}`);
      return done;
    },

    async uninstall({ purgeData }) {
      requireAdmin(host, "Removing");
      const done: string[] = [];
      if (await host.exists(LAUNCHD_PLIST_PATH)) {
        await host.run("launchctl", ["bootout", TARGET]);
        await host.remove(LAUNCHD_PLIST_PATH);
        done.push(`stopped ${LAUNCHD_LABEL} and removed ${LAUNCHD_PLIST_PATH}`);
      } else {
        done.push(`${LAUNCHD_LABEL} was not installed`);
      }
      if (purgeData !== undefined) {
        await host.remove(purgeData);
        done.push(`deleted the data folder ${purgeData}`);
      } else {
        done.push("kept the data folder (pass --purge to delete it)");
      }
      return done;
    },

    async status() {
      if (!(await host.exists(LAUNCHD_PLIST_PATH))) return [`${LAUNCHD_LABEL}: not installed`];
      const printed = await host.run("launchctl", ["print", TARGET]);
      const state = /^\s*state = (.+)$/m.exec(printed.stdout)?.[1] ?? "not loaded";
      return [`${LAUNCHD_LABEL}: ${state}, ${LAUNCHD_PLIST_PATH}`, `log: ${LAUNCHD_LOG_PATH}`];
    },
  };
}
