/**
 * @outpost/agent: the device agent (DESIGN §4). So far its configuration; collection, sync and
 * the command engine arrive with issues 4 and 5.
 */
export type { AgentConfig, AgentFileConfig } from "./config/agent-config.js";
export {
  AGENT_DEFAULTS,
  agentFileConfigSchema,
  LOG_LEVELS,
  loadAgentConfig,
} from "./config/agent-config.js";
