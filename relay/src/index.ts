/**
 * @outpost/relay: the authenticated, access-controlled, crash-safe sync server (ARCHITECTURE.md,
 * "The relay").
 */

export { SYNC_PATH } from "./http/upgrade-handler.js";
export type { RejectionReason } from "./metrics/relay-metrics.js";
export { handleProcessFailures } from "./process-failures.js";
export { Relay } from "./relay.js";
export type { RelayLimits, RelayOptions } from "./relay-options.js";
export { DEFAULT_LIMITS } from "./relay-options.js";
export type { AdminKeyStore, FleetRoot } from "./state/admin-key-store.js";
export { approveKeysAsRegistered } from "./state/approve-as-registered.js";
export { writeSummariesOffline } from "./state/offline-summaries.js";
export { recordRootKey } from "./state/record-root-key.js";
export { type TrustRefusalKind, TrustRefused } from "./state/trust-refused.js";
