import { writeTomlConfig } from "@outpost/shared-model/config";
import { type AgentFileConfig, agentFileConfigSchema } from "./agent-config.js";

/**
 * Writes an agent config file with these keys (as in agent.example.toml), checked first against
 * the schema `loadAgentConfig` reads with, so `npm start`, the benchmarks and the tests never
 * write a config the agent would refuse. Readable by its owner only: it may hold the fleet's
 * enrollment secret.
 *
 * @throws ConfigFileError naming the key that is wrong
 */
export function writeAgentConfig(
  path: string,
  settings: AgentFileConfig,
  options: { header?: readonly string[] } = {},
): Promise<void> {
  return writeTomlConfig(path, agentFileConfigSchema, settings, options);
}
