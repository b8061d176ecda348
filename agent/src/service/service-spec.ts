import { AGENT_NODE_FLAGS } from "../runtime/node-flags.js";

/** The service's name on every platform (systemd unit, Windows service id). */
export const SERVICE_NAME = "outpost-agent";
/** launchd's label (reverse-DNS, as launchd wants). */
export const LAUNCHD_LABEL = "com.outpost.agent";
/** The dedicated account the Linux service runs as. */
export const SERVICE_USER = "outpost-agent";

/** Everything a service definition needs, as absolute paths. */
export interface ServiceSpec {
  /** The Node.js executable. */
  node: string;
  /** The installable agent (outpost-agent.mjs); its wasm file lies next to it. */
  entry: string;
  /** The agent's config file. */
  config: string;
  /** The data folder the config names: the only place the service may write. */
  data: string;
  /** The account it runs as (Linux). */
  user: string;
}

/** The command line the service runs: node with the agent's V8 flags, then `run --config`. */
export function serviceCommand(spec: ServiceSpec): string[] {
  return [spec.node, ...AGENT_NODE_FLAGS, spec.entry, "run", "--config", spec.config];
}
