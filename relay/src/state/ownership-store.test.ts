import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeviceId } from "@outpost/shared-model";
import { silentLogger } from "@outpost/shared-model";
import { afterEach, describe, expect, it } from "vitest";
import { OwnershipStore } from "./ownership-store.js";

let directory: string | undefined;
afterEach(async () => {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

describe("OwnershipStore claims", () => {
  // The bug: the limit was checked before the claim's fsynced append, so claims of two documents
  // made at once both saw room for one and a device went over its limit.
  it("counts claims still being written against the device's limit", async () => {
    directory = await mkdtemp(join(tmpdir(), "outpost-ownership-"));
    const store = await OwnershipStore.open(directory, silentLogger);
    const device = "laptop-a" as DeviceId;
    const results = await Promise.all(
      ["doc-1", "doc-2", "doc-3"].map((documentId) => store.claim(documentId, device, 2)),
    );
    expect(results.sort()).toEqual(["claimed", "claimed", "limit-reached"]);
    expect(store.countOwnedBy(device)).toBe(2);
    // And once written, the same from a fresh read of the journal.
    const reopened = await OwnershipStore.open(directory, silentLogger);
    expect(reopened.countOwnedBy(device)).toBe(2);
  });
});
