import { stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Cleanup } from "./cleanup.js";

describe("Cleanup", () => {
  it("releases newest first, every step even when one fails, then reports the failures", async () => {
    const cleanup = new Cleanup();
    const order: string[] = [];
    cleanup.defer(() => order.push("relay"));
    cleanup.add("agent", (name) => {
      order.push(name);
      throw new Error("agent would not stop");
    });
    cleanup.defer(async () => order.push("browser"));
    await expect(cleanup.release()).rejects.toThrow("releasing test resources failed");
    expect(order).toEqual(["browser", "agent", "relay"]);
    await cleanup.release(); // nothing left to run twice
    expect(order).toHaveLength(3);
  });

  it("drops failures when told to", async () => {
    const cleanup = new Cleanup();
    cleanup.defer(() => Promise.reject(new Error("already gone")));
    await expect(cleanup.release({ ignoreFailures: true })).resolves.toBeUndefined();
  });

  it("removes the temp folders it made", async () => {
    const cleanup = new Cleanup();
    const folder = await cleanup.tempFolder("cleanup-test");
    expect((await stat(folder)).isDirectory()).toBe(true);
    await cleanup.release();
    await expect(stat(folder)).rejects.toThrow("ENOENT");
  });
});
