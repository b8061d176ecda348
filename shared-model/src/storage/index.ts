/**
 * `@outpost/shared-model/storage`: the crash-safe file-system storage adapter that the agent and
 * the relay give their automerge-repo `Repo` (ARCHITECTURE.md, "The relay", "State").
 */
export {
  type DecodedChunkFile,
  decodeChunkFile,
  UnsupportedChunkFormatVersion,
} from "./chunk-file-format.js";
export {
  CrashSafeFileStorageAdapter,
  type CrashSafeFileStorageOptions,
} from "./crash-safe-file-storage-adapter.js";
export {
  DataFolderBusy,
  type DataFolderOwner,
  lockDataFolder,
} from "./data-folder-lock.js";
export { writeFileDurably } from "./durable-fs.js";
export { flushReady, shutdownRepo } from "./flush-ready.js";
export { openReadOnlyReplica, readReplica } from "./read-only-replica.js";
