import { launchdService } from "./launchd-service.js";
import type { ServiceHost } from "./service-host.js";
import { ServiceError, type ServiceManager } from "./service-manager.js";
import { systemdService } from "./systemd-service.js";
import { winswService } from "./winsw-service.js";

/** The service manager of `host`'s platform; `installDir` is where the bundle lies (Windows). */
export function serviceFor(host: ServiceHost, installDir: string): ServiceManager {
  switch (host.platform) {
    case "linux":
      return systemdService(host);
    case "darwin":
      return launchdService(host);
    case "win32":
      return winswService(host, installDir);
    default:
      throw new ServiceError(
        `no service installer for ${host.platform}; run the agent under your own supervisor`,
      );
  }
}
