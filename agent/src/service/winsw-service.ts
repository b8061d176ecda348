import { win32 } from "node:path";
import type { ServiceHost } from "./service-host.js";
import { requireAdmin, runChecked, ServiceError, type ServiceManager } from "./service-manager.js";
import { SERVICE_NAME, type ServiceSpec } from "./service-spec.js";
import { renderWinswXml, WINSW_EXE, WINSW_URL, WINSW_XML } from "./windows-service.js";

/**
 * The agent as a Windows service, through WinSW next to the bundle (`installDir`: where the
 * bundle is, for uninstall and status, which have no spec).
 */
export function winswService(host: ServiceHost, installDir: string): ServiceManager {
  // Windows paths, whatever the machine this code is tested on.
  const { dirname, join } = win32;
  const wrapper = (dir: string) => join(dir, WINSW_EXE);
  return {
    async install(spec: ServiceSpec) {
      requireAdmin(host, "Installing");
      const dir = dirname(spec.entry);
      if (!(await host.exists(wrapper(dir)))) {
        throw new ServiceError(
          `the Windows service needs WinSW: download WinSW-x64.exe from ${WINSW_URL}, save it as ${wrapper(dir)}, and run this again`,
        );
      }
      await host.makeDirectory(spec.data, 0o700);
      await host.writeText(join(dir, WINSW_XML), renderWinswXml(spec), 0o644);
      if ((await host.run(wrapper(dir), ["status"])).stdout.includes("NonExistent") === false) {
        await host.run(wrapper(dir), ["stop"]);
        await host.run(wrapper(dir), ["uninstall"]);
      }
      await runChecked(host, wrapper(dir), ["install"]);
      await runChecked(host, wrapper(dir), ["start"]);
      return [`wrote ${join(dir, WINSW_XML)}`, `installed and started the ${SERVICE_NAME} service`];
    },

    async uninstall({ purgeData }) {
      requireAdmin(host, "Removing");
      const done: string[] = [];
      if (await host.exists(wrapper(installDir))) {
        await host.run(wrapper(installDir), ["stop"]);
        await host.run(wrapper(installDir), ["uninstall"]);
        await host.remove(join(installDir, WINSW_XML));
        done.push(`stopped and removed the ${SERVICE_NAME} service`);
      } else {
        done.push(`no ${wrapper(installDir)}: the service was not installed from here`);
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
      if (!(await host.exists(wrapper(installDir)))) return [`${SERVICE_NAME}: not installed`];
      const state = (await host.run(wrapper(installDir), ["status"])).stdout.trim();
      return [`${SERVICE_NAME}: ${state || "unknown"}`];
    },
  };
}
