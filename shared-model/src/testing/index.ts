/**
 * `@outpost/shared-model/testing`: support for tests and benchmarks across packages (real
 * Automerge replicas of a DeviceDoc, a seeded PRNG). Never imported by product code.
 */
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
