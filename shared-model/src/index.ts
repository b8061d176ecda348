/**
 * @outpost/shared-model: the documents agent, relay and dashboard share, their validation, the
 * command queue (intents, facts and the pure fold), and the telemetry helpers. The file-system
 * storage adapter is Node-only and lives at `@outpost/shared-model/storage`.
 */

export type { Actor } from "./actors/actor.js";
export { actorOf } from "./actors/actor.js";
export { UsageError } from "./cli/usage-error.js";
export type {
  ArchivedCommand,
  ArchiveMark,
  ArchiveMonth,
  CommandEntry,
  StoredCommand,
  StoredCommandEntry,
  StoredCommands,
} from "./commands/archived.js";
export {
  archiveMonthOf,
  eventsOf,
  isArchived,
  isArchiveMonth,
  isLive,
  liveCommand,
  liveCommands,
  openIntents,
  plainCommands,
  plainEntry,
} from "./commands/archived.js";
export type { ArchivableCommand } from "./commands/archiving.js";
export { archivableCommands, archiveMarkOf, markArchived } from "./commands/archiving.js";
export type { Command } from "./commands/command.js";
export { priorityConflicts } from "./commands/conflicts.js";
export type {
  CancelRequested,
  CommandEvent,
  DeferralReason,
  Fact,
  FactInput,
  FactType,
  Intent,
  Note,
  RetryRequested,
  RunOutcome,
} from "./commands/events.js";
export { DEFERRAL_REASONS, INTENT_TYPES, isIntent } from "./commands/events.js";
export { fold } from "./commands/fold.js";
export { FoldCache } from "./commands/fold-cache.js";
export type { CommandDraft, EnqueueInput, IntentInput } from "./commands/mutators.js";
export {
  addNote,
  appendIntent,
  DuplicateCommand,
  draftCommand,
  draftIntent,
  draftPriority,
  enqueueCommand,
  insertCommand,
  recordFact,
  requestCancel,
  requestRetry,
  setPriority,
  UnknownCommand,
  writePriority,
} from "./commands/mutators.js";
export type {
  PlanOptions,
  QueueDecision,
  QueuePlan,
  QueueTrust,
  RunnableCommand,
} from "./commands/plan.js";
export { nextRunnable, planQueue } from "./commands/plan.js";
export { nextAutomaticAttemptAt, retryDelayMs } from "./commands/retry.js";
export type {
  CommandArgValue,
  CommandSpec,
  CommandWindow,
  PriorityRegister,
  RetryPolicy,
} from "./commands/spec.js";
export { COMMAND_WINDOWS, DEFAULT_RETRY_POLICY, PRIORITY } from "./commands/spec.js";
export type { CommandPhase, CommandState, CommandStatus, IntentStatus } from "./commands/state.js";
export { isTerminal, isWaiting, TERMINAL_STATUSES, WAITING_STATUSES } from "./commands/state.js";
export type { StoredSpec } from "./commands/stored-spec.js";
export { isJsonSpec, plainSpec, toStoredSpec } from "./commands/stored-spec.js";
export type { AssetFields } from "./documents/asset.js";
export { ASSET_FIELDS, assetConflicts, updateAsset } from "./documents/asset.js";
export type {
  ArchivedCommandRecord,
  CommandArchiveDoc,
} from "./documents/command-archive-doc.js";
export {
  archiveRecordValue,
  COMMAND_ARCHIVE_DOC_SCHEMA,
  newCommandArchiveDoc,
} from "./documents/command-archive-doc.js";
export {
  createDeviceDoc,
  createFleetDoc,
  DEFAULT_ASSET,
  DEFAULT_POLICY,
} from "./documents/create.js";
export type {
  Asset,
  CommandArchiveIndexEntry,
  DeviceDoc,
  Inventory,
  Lifecycle,
  LoadThresholds,
  Policy,
  PolicyRecord,
  PolicyRegister,
  PolicySettings,
  TelemetryIndexEntry,
  TimeWindow,
} from "./documents/device-doc.js";
export { DEVICE_DOC_SCHEMA, LIFECYCLES } from "./documents/device-doc.js";
export type { FleetDevice, FleetDoc, FleetSummaryIndex } from "./documents/fleet-doc.js";
export { deviceDocUrlOf, FLEET_DOC_SCHEMA, summaryIndexOf } from "./documents/fleet-doc.js";
export {
  createFleetSummaryDoc,
  FLEET_SUMMARY_DOC_SCHEMA,
  type FleetSummaryDoc,
} from "./documents/fleet-summary-doc.js";
export { forgetLoadPatches } from "./documents/forget-load-patches.js";
export type { AnyPolicyRegister } from "./documents/policy.js";
export {
  draftPolicy,
  lastPolicyEdit,
  POLICY_SETTINGS,
  policyChanges,
  policyValues,
  updatePolicy,
  validatePolicyRecord,
  writePolicy,
} from "./documents/policy.js";
export type { Stored } from "./documents/stored-strings.js";
export { plainString, toPlain, toStored } from "./documents/stored-strings.js";
export type {
  AuditEntry,
  HourBucket,
  MetricDescriptor,
  TelemetryDayDoc,
} from "./documents/telemetry-day-doc.js";
export { TELEMETRY_DAY_DOC_SCHEMA } from "./documents/telemetry-day-doc.js";
export { createTrustDoc, TRUST_DOC_SCHEMA, type TrustDoc } from "./documents/trust-doc.js";
export type { CommandId, Day, DeviceId, EventId } from "./ids/ids.js";
export {
  dayOf,
  InvalidId,
  isCommandId,
  isDay,
  isDeviceId,
  newCommandId,
  newEventId,
  parseCommandId,
  parseDay,
  parseDeviceId,
  parseEventId,
  startOfDay,
} from "./ids/ids.js";
export { makeConsoleLogger } from "./log/console-logger.js";
export type { Logger } from "./log/logger.js";
export { makeLogger, silentLogger } from "./log/logger.js";
export type { DeviceSummary } from "./summaries/device-summary.js";
export {
  emptySummary,
  FAILED_STATUSES,
  SUMMARY_TEXT_MAX,
  summarizeDevice,
} from "./summaries/device-summary.js";
export type { Health, HealthVerdict, LiveRollup } from "./summaries/health.js";
export { HEALTH_ORDER, HEALTH_THRESHOLDS, healthOf } from "./summaries/health.js";
export {
  deviceHash,
  isShardCount,
  SUMMARY_SHARD_MAX,
  SUMMARY_SHARD_TARGET,
  shardCountFor,
  shardOf,
} from "./summaries/shards.js";
export { sameSummary, writeSummary } from "./summaries/write-summary.js";
export * from "./sync/index.js";
export * from "./telemetry/index.js";
export * from "./trust/index.js";
export { messageOf } from "./util/message-of.js";
export { seededRandom } from "./util/seeded-random.js";
export {
  certificateSchema,
  keyIdSchema,
  publicKeySchema,
  revocationSchema,
} from "./validation/certificate-schemas.js";
export type { ValidCommandArchive } from "./validation/command-archive-doc.js";
export { validateCommandArchiveDoc } from "./validation/command-archive-doc.js";
export { validateDeviceDoc } from "./validation/device-doc.js";
export { validateFleetDoc } from "./validation/fleet-doc.js";
export {
  deviceSummarySchema,
  validateFleetSummaryDoc,
  validateSummaryEntry,
} from "./validation/fleet-summary-doc.js";
export { InvalidField, ValidationFailed } from "./validation/invalid-field.js";
export { validateTelemetryDayDoc } from "./validation/telemetry-day-doc.js";
export { validateTrustDoc } from "./validation/trust-doc.js";
export type { Validated } from "./validation/validated.js";
