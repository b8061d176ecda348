/**
 * @outpost/agent: the device agent (ARCHITECTURE.md, "The agent"): configuration, collectors, the
 * command engine's kinds, the running agent and its link to the relay.
 */

export { DataFolderBusy } from "@outpost/shared-model/storage";
export { ALL_COLLECTORS } from "./collectors/all.js";
export type {
  Collector,
  CollectorContext,
  CollectorInstance,
  ConnectivityProbe,
  Readings,
} from "./collectors/collector.js";
export { CollectorFailed } from "./collectors/collector.js";
export { metricsOf, selectCollectors, UnknownCollector } from "./collectors/registry.js";
export type { SystemInfo } from "./collectors/system-info.js";
export { realSystemInfo } from "./collectors/system-info.js";
export {
  ARCHIVE_RECORD_FILE,
  ArchiveRecord,
  ArchiveRecordError,
} from "./commands/archive/archive-record.js";
export {
  CommandArchiver,
  type CommandArchiverOptions,
} from "./commands/archive/command-archiver.js";
export { type QueueGuard, QueueVerdicts } from "./commands/engine/queue-verdicts.js";
export { groupExists } from "./commands/execution/leftover-processes.js";
export { ALL_KINDS } from "./commands/kinds/all.js";
export type { CommandKind, KindContext, SystemControl } from "./commands/kinds/command-kind.js";
export { realSystemControl } from "./commands/kinds/system-control.js";
export type { AgentConfig, AgentFileConfig } from "./config/agent-config.js";
export {
  AGENT_DEFAULTS,
  agentFileConfigSchema,
  LOG_LEVELS,
  loadAgentConfig,
} from "./config/agent-config.js";
export { writeAgentConfig } from "./config/write-agent-config.js";
export type { DeviceCredentials } from "./enrollment/credentials.js";
export {
  CREDENTIALS_FILE,
  CredentialsFileError,
  loadCredentials,
  saveCredentials,
} from "./enrollment/credentials.js";
export {
  EnrollmentPending,
  EnrollmentRefused,
  enrollDevice,
  RelayUnreachable,
} from "./enrollment/enroll.js";
export type { EnrollmentState } from "./enrollment/enrollment-loop.js";
export { PENDING_ENROLLMENT_FILE } from "./enrollment/pending-enrollment.js";
export { collectInventory, InventoryFailed } from "./inventory/collect-inventory.js";
export {
  Agent,
  type AgentCommandOptions,
  type AgentOptions,
  DOCUMENTS_FOLDER,
} from "./runtime/agent.js";
export { type Clock, systemClock } from "./runtime/clock.js";
export { type ReplicaStatus, readReplicaStatus } from "./runtime/replica-status.js";
export { ScaledClock } from "./runtime/scaled-clock.js";
export { SimulatedClock } from "./runtime/simulated-clock.js";
export { type AgentState, AgentStateStore, STATE_FILE } from "./state/agent-state.js";
export { storageQuiet } from "./state/storage-quiet.js";
export type { ConnectionState } from "./sync/relay-connection.js";
export { RelayConnection } from "./sync/relay-connection.js";
export { RelayLink } from "./sync/relay-link.js";
export { AgentTrust } from "./trust/agent-trust.js";
export type { TrustSource, TrustStatus } from "./trust/trust-status.js";
