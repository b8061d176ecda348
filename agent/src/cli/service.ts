import { dirname, resolve } from "node:path";
import { UsageError } from "@outpost/shared-model";
import { loadAgentConfig } from "../config/agent-config.js";
import { serviceFor } from "../service/service-for-platform.js";
import { realServiceHost, type ServiceHost } from "../service/service-host.js";
import { SERVICE_USER } from "../service/service-spec.js";

/** What `outpost-agent service …` was asked. */
export interface ServiceInvocation {
  action: "install" | "uninstall" | "status";
  config?: string;
  entry?: string;
  user?: string;
  purge?: boolean;
}

/**
 * `outpost-agent service install|uninstall|status`. The service runs the installable agent (the
 * bundle this command runs from, or `--entry`): never the source tree, which a service must not
 * depend on.
 */
export async function runServiceCommand(
  invocation: ServiceInvocation,
  options: {
    host?: ServiceHost;
    runningScript?: string;
    node?: string;
    print?: (line: string) => void;
  } = {},
): Promise<number> {
  const host = options.host ?? realServiceHost;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const entry = resolve(invocation.entry ?? options.runningScript ?? process.argv[1] ?? "");
  const service = serviceFor(host, dirname(entry));
  let lines: string[];
  if (invocation.action === "install") {
    if (!entry.endsWith(".mjs")) {
      throw new UsageError(
        "a service runs the installable agent: build it (npm run build -w agent), then run agent/dist/outpost-agent.mjs service install --config FILE, or pass --entry PATH",
      );
    }
    if (invocation.config === undefined)
      throw new UsageError("service install needs --config FILE");
    const config = await loadAgentConfig(invocation.config);
    lines = await service.install({
      node: options.node ?? process.execPath,
      entry,
      config: config.path,
      data: config.dataDirectory,
      user: invocation.user ?? SERVICE_USER,
    });
  } else if (invocation.action === "uninstall") {
    if (invocation.purge && invocation.config === undefined) {
      throw new UsageError("--purge deletes the data folder the config names: pass --config FILE");
    }
    const purgeData = invocation.purge
      ? (await loadAgentConfig(invocation.config as string)).dataDirectory
      : undefined;
    lines = await service.uninstall({ purgeData });
  } else {
    lines = await service.status();
  }
  for (const line of lines) print(line);
  return 0;
}
