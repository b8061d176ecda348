/** automerge-repo's acceptance suite, which every storage adapter must pass (STYLE.md). */
import {
  runStorageAdapterTests,
  type SetupFn,
} from "@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js";
import { describe } from "vitest";
import { silentLogger } from "../log/logger.js";
import { CrashSafeFileStorageAdapter } from "./crash-safe-file-storage-adapter.js";
import { makeTempDirectory } from "./testdata/helpers.js";

const setup: SetupFn = async () => {
  const directory = await makeTempDirectory();
  const adapter = await CrashSafeFileStorageAdapter.create(directory.path, {
    logger: silentLogger,
  });
  return { adapter, teardown: directory.remove };
};

describe("CrashSafeFileStorageAdapter", () => {
  runStorageAdapterTests(setup, "CrashSafeFileStorageAdapter");
});
