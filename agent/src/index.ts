/**
 * @outpost/agent: the device agent (DESIGN §4). So far its configuration and its connection to
 * the relay; collection, the rest of sync and the command engine arrive with issues 4 and 5.
 */
export type { AgentConfig, AgentFileConfig } from "./config/agent-config.js";
export {
  AGENT_DEFAULTS,
  agentFileConfigSchema,
  LOG_LEVELS,
  loadAgentConfig,
} from "./config/agent-config.js";
export type { DeviceCredentials } from "./enrollment/credentials.js";
export {
  CREDENTIALS_FILE,
  CredentialsFileError,
  loadCredentials,
  saveCredentials,
} from "./enrollment/credentials.js";
export { EnrollmentRefused, enrollDevice, RelayUnreachable } from "./enrollment/enroll.js";
export type { BackoffPolicy } from "./sync/backoff.js";
export { backoffDelayMs, RECONNECT_BACKOFF } from "./sync/backoff.js";
export type { ConnectionState } from "./sync/relay-connection.js";
export { RelayConnection } from "./sync/relay-connection.js";
