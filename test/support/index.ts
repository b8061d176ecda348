/**
 * `@outpost/test-support`: what tests across packages share to run Outpost for real on loopback:
 * a relay for a test fleet with its admins and enrollment secret, admin replicas as the
 * dashboard's, admins who sign what they write as the dashboard does, the root a test agent
 * pins, agents as CLI processes with folders of their own, what a stopped relay holds on disk,
 * TCP partitions, and the whole system for browser tests. Waiting and releasing are
 * `@outpost/shared-model/testing`'s; Chromium is `@outpost/test-support/browser`.
 */
export { untilAcknowledged } from "./acknowledgements.js";
export { adminReplica } from "./admin-replica.js";
export { certifiedAdmin } from "./admin-signing.js";
export { AgentCli, type AgentCliOptions } from "./agent-cli.js";
export { startFleet, type TestFleet, type TestFleetOptions } from "./fleet.js";
export { type OutpostSystem, startOutpostSystem } from "./outpost-system.js";
export { samplesOnRelayDisk } from "./relay-disk.js";
export { TcpProxy } from "./tcp-proxy.js";
