import type { AuditEntry } from "@outpost/shared-model";
import { LEVEL, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import { AuditBatcher } from "./audit-batcher.js";
import { SerialWork } from "./serial-work.js";

const entry = (detail: string): AuditEntry => ({
  at: 0,
  actor: "device:laptop-1",
  action: "command-deferred",
  detail,
});

/** A batcher on a SerialWork whose writes the test sees, held until `release()`. */
function batcher(write: (entries: AuditEntry[]) => Promise<void> = async () => {}) {
  const work = new SerialWork();
  const writes: string[][] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  void work.run(() => held);
  const { logger, at } = recordingLogger();
  const audit = new AuditBatcher({
    write: async (entries) => {
      writes.push(entries.map((each) => each.detail));
      await write(entries);
    },
    schedule: (job) => work.run(job),
    logger,
  });
  return { audit, writes, release, idle: () => work.idle(), errors: () => at(LEVEL.error) };
}

describe("AuditBatcher", () => {
  it("writes entries that arrive before the write runs as one batch", async () => {
    const { audit, writes, release, idle } = batcher();
    audit.add(entry("a"));
    audit.add(entry("b"));
    audit.add(entry("c"));
    release();
    await idle();
    expect(writes).toEqual([["a", "b", "c"]]);
  });

  it("starts a new batch for an entry that arrives once the write has run", async () => {
    const { audit, writes, release, idle } = batcher();
    release();
    audit.add(entry("a"));
    await idle();
    audit.add(entry("b"));
    audit.add(entry("c"));
    await idle();
    expect(writes).toEqual([["a"], ["b", "c"]]);
  });

  it("logs a failed write and still writes the next batch", async () => {
    let fail = true;
    const { audit, writes, release, idle, errors } = batcher(async () => {
      if (fail) throw new Error("disk full");
    });
    release();
    audit.add(entry("lost"));
    await idle();
    fail = false;
    audit.add(entry("kept"));
    await idle();
    expect(writes).toEqual([["lost"], ["kept"]]);
    expect(errors().map((line) => line.msg)).toEqual(["audit entries lost: disk full"]);
  });
});
