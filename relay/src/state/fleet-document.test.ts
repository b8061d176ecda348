import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isImmutableString } from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import type { DeviceId, FleetDoc } from "@outpost/shared-model";
import { silentLogger, toPlain } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { afterEach, describe, expect, it } from "vitest";
import { FleetDocument } from "./fleet-document.js";
import { PrincipalStore } from "./principal-store.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A relay's data folder: the principal journal and a repo on crash-safe storage. */
async function dataFolder() {
  const directory = await mkdtemp(join(tmpdir(), "outpost-fleet-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  /** Opens the folder as one relay run does; closed after the test if the test did not. */
  const open = async () => {
    const storage = await CrashSafeFileStorageAdapter.create(join(directory, "documents"));
    const repo = new Repo({ storage, network: [] });
    const principals = await PrincipalStore.open(directory, silentLogger);
    let closed: Promise<void> | undefined;
    const close = () => {
      closed ??= (async () => {
        principals.close();
        await repo.shutdown();
        await storage.whenIdle();
      })();
      return closed;
    };
    cleanups.push(close);
    return { storage, repo, principals, close };
  };
  return { open };
}

describe("FleetDocument", () => {
  it("is created on the first start, on disk before the identity names it, and found again", async () => {
    const folder = await dataFolder();
    const first = await folder.open();
    const created = await FleetDocument.open(first.repo, first.principals, "relay-1");
    expect(first.principals.identity).toEqual({
      relayId: "relay-1",
      fleetDocumentId: created.documentId,
    });
    expect(await first.storage.hasAnyUnder([created.documentId])).toBe(true);
    await first.close();

    const second = await folder.open();
    const found = await FleetDocument.open(second.repo, second.principals, "ignored");
    expect(found.url).toBe(created.url);
    expect(second.principals.identity?.relayId).toBe("relay-1");
  });

  it("records an enrolled device and has it on disk when recordDevice resolves", async () => {
    const folder = await dataFolder();
    const first = await folder.open();
    const fleet = await FleetDocument.open(first.repo, first.principals, "relay-1");
    const device = { deviceDocUrl: "automerge:abc", hostname: "laptop-1", enrolledAt: 42 };
    await fleet.recordDevice("laptop-1" as DeviceId, device);
    // No shutdown flush: what recordDevice wrote is all the next run finds.
    const second = await folder.open();
    const reopened = await second.repo.find<FleetDoc>(fleet.url);
    const stored = reopened.doc().devices["laptop-1" as DeviceId];
    // Strings as scalars, one operation each; read back as the strings written.
    expect(isImmutableString(stored?.hostname)).toBe(true);
    expect(toPlain(stored)).toEqual(device);
  });
});
