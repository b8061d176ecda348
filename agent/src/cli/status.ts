import type { AgentConfig } from "../config/agent-config.js";
import { formatStatus, readReplicaStatus } from "../runtime/replica-status.js";

/** `outpost-agent status`: prints what the local replica holds; exit 1 before the first run. */
export async function printStatus(
  config: AgentConfig,
  options: { json: boolean },
): Promise<number> {
  const status = await readReplicaStatus(config.dataDirectory);
  if (status === undefined) {
    process.stderr.write(
      `outpost-agent: no agent data in ${config.dataDirectory} yet; start it with run --config ${config.path}\n`,
    );
    return 1;
  }
  process.stdout.write(
    options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status),
  );
  return 0;
}
