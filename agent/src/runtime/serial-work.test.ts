import { describe, expect, it } from "vitest";
import { SerialWork } from "./serial-work.js";

/** A promise and the functions that settle it, for work whose end a test decides. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe("SerialWork", () => {
  it("starts each piece of work only after the one before it has settled", async () => {
    const work = new SerialWork();
    const first = deferred();
    const started: string[] = [];
    const one = work.run(async () => {
      started.push("one");
      await first.promise;
    });
    const two = work.run(async () => {
      started.push("two");
      return 2;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["one"]);
    first.resolve();
    await one;
    expect(await two).toBe(2);
    expect(started).toEqual(["one", "two"]);
  });

  it("runs the next piece after one that failed, and gives each caller its own outcome", async () => {
    const work = new SerialWork();
    const failed = work.run(async () => {
      throw new Error("disk full");
    });
    const next = work.run(async () => "stored");
    await expect(failed).rejects.toThrow("disk full");
    await expect(next).resolves.toBe("stored");
  });

  it("idle() waits for everything queued so far and never rejects", async () => {
    const work = new SerialWork();
    const gate = deferred();
    let done = false;
    void work.run(() => gate.promise).catch(() => {});
    void work
      .run(async () => {
        done = true;
      })
      .catch(() => {});
    const idle = work.idle();
    gate.reject(new Error("tick failed"));
    await idle;
    expect(done).toBe(true);
  });
});
