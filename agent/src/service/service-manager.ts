import type { ServiceHost } from "./service-host.js";
import type { ServiceSpec } from "./service-spec.js";

/** Installing, removing or inspecting the service failed; the message says why and what to do. */
export class ServiceError extends Error {
  override name = "ServiceError";
}

/** The service on one platform. Each call returns the lines to tell the admin. */
export interface ServiceManager {
  /** Installs (or reinstalls) the service from `spec` and starts it. */
  install(spec: ServiceSpec): Promise<string[]>;
  /** Stops and removes the service; `purgeData` also deletes that data folder. */
  uninstall(options: { purgeData?: string }): Promise<string[]>;
  status(): Promise<string[]>;
}

/** Runs `command`; throws a {@link ServiceError} with what it printed when it fails. */
export async function runChecked(
  host: ServiceHost,
  command: string,
  args: readonly string[],
): Promise<string> {
  const result = await host.run(command, args);
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim() || `exit code ${result.code}`;
    throw new ServiceError(`${command} ${args.join(" ")} failed: ${said}`);
  }
  return result.stdout;
}

/** Refuses to go on without root (or Administrator), naming how to get it. */
export function requireAdmin(host: ServiceHost, action: string): void {
  if (host.isAdmin()) return;
  const how = host.platform === "win32" ? "from an Administrator prompt" : "as root (sudo)";
  throw new ServiceError(`${action} a system service needs administrator rights: run it ${how}`);
}
