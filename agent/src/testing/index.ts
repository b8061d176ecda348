/**
 * `@outpost/agent/testing`: the agent as its tests and `@outpost/test-support` drive it: in
 * process with test defaults, or as the `outpost-agent` CLI in a child process, and what its data
 * folder holds once it stopped. Never imported by product code (the lint refuses it).
 */
export {
  type AgentCliResult,
  type AgentProcess,
  runAgentCli,
  spawnAgent,
} from "./agent-child.js";
export { documentOnDisk, readStoredSampleTimes } from "./agent-disk.js";
export { agentTrustFor } from "./agent-trust-doc.js";
export { SignedAdmin } from "./signed-admin.js";
export {
  clockCollector,
  FAST_BACKOFF,
  FIXTURE_SYSTEM,
  quietMachineCommands,
  startTestAgent,
} from "./test-agent.js";
