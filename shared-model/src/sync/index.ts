/** Wire shapes and identities shared by the relay and its clients. */

export type {
  AdminKeyList,
  AdminKeyListing,
  AdminKeyStatus,
  RegisterAdminKeyRequest,
} from "./admin-keys-api.js";
export {
  ADMIN_KEY_LABEL_MAX,
  ADMIN_KEY_STATUSES,
  adminKeyListingSchema,
  adminKeyListSchema,
  parseAdminKeyList,
  relayErrorText,
} from "./admin-keys-api.js";
export type { BackoffLimits, BackoffPolicy } from "./backoff.js";
export { backoffCeilingMs, backoffDelayMs, RECONNECT_BACKOFF } from "./backoff.js";
export type {
  DeviceListing,
  DeviceStatus,
  EnrollmentTokenIssued,
  EnrollmentTokenSummary,
  InstallCommands,
  PendingEnrollmentStatus,
  PendingEnrollmentSummary,
} from "./device-admin.js";
export {
  deviceAdminAnswers,
  deviceListingSchema,
  enrollmentTokenIssuedSchema,
  enrollmentTokenSummarySchema,
  parseRelayAnswer,
  pendingEnrollmentSummarySchema,
} from "./device-admin-schemas.js";
export type {
  EnrollPendingResponse,
  EnrollRequest,
  EnrollResponse,
  FleetTrust,
  RelayErrorBody,
} from "./enrollment.js";
export { enrollRequestSchema } from "./enrollment.js";
export type { Principal } from "./peer-ids.js";
export {
  describePrincipal,
  isAdminName,
  peerIdFor,
  principalOfPeerId,
  samePrincipal,
} from "./peer-ids.js";
export type { PresenceMessage } from "./presence.js";
export {
  isPresenceMessage,
  PRESENCE_INTERVAL_MS,
  PRESENCE_MESSAGE_TYPE,
  PRESENCE_TTL_MS,
} from "./presence.js";
export { ReconnectSchedule, STABLE_CONNECTION_MS } from "./reconnect-schedule.js";
export type { ConnectionState, RelayFailure } from "./relay-client/connection-state.js";
export { CLOSE_REVOKED } from "./relay-client/connection-state.js";
export { RelayClient } from "./relay-client/relay-client.js";
export type {
  RelayClientLog,
  RelayClientOptions,
  StartTimer,
} from "./relay-client/relay-client-options.js";
export type { RelaySocket, RelayTransport, SocketEnd } from "./relay-client/relay-transport.js";
export { headsIncludeChanges } from "./stored-changes.js";
export type { StoredHeadsMessage } from "./stored-heads.js";
export { isStoredHeadsMessage, STORED_HEADS_MESSAGE_TYPE } from "./stored-heads.js";
