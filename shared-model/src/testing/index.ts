/**
 * `@outpost/shared-model/testing`: what every package's tests share, at the bottom of the package
 * graph so agent, relay and dashboard tests can use it without depending on each other: waiting
 * ({@link eventually}), releasing ({@link Cleanup}), a free port, a log a test can read, and real
 * Automerge replicas of a DeviceDoc. Fleet-level support (relays, agents, browsers together) is in
 * `@outpost/test-support`. Never imported by product code (the lint refuses it).
 */
export { Cleanup, cleanupAfterAll, cleanupAfterEach } from "./cleanup.js";
export { EVENTUALLY_TIMEOUT_MS, eventually } from "./eventually.js";
export { freePort } from "./free-port.js";
export { LEVEL, type LogLine, recordingLogger } from "./recording-logger.js";
export {
  agentAt,
  aliceAt,
  bobAt,
  forkReplica,
  newDeviceReplica,
  syncPair,
  T0,
  TEST_DEVICE,
} from "./replicas.js";
export { certifiedAdminSigner, type TestRoot, testRoot } from "./trust-keys.js";
