import { afterEach, describe, expect, it, vi } from "vitest";
import { eventually } from "./eventually.js";

describe("eventually", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks again while the check answers false or throws, and returns the first other answer", async () => {
    let calls = 0;
    const answer = await eventually(() => {
      calls += 1;
      if (calls === 1) return false;
      if (calls === 2) throw new Error("not there yet");
      return `after ${calls}`;
    }, "the third answer");
    expect(answer).toBe("after 3");
  });

  it("names what it waited for when a false check times out", async () => {
    await expect(eventually(() => false, "the relay to say yes", 120)).rejects.toThrow(
      "timed out after 120 ms waiting for the relay to say yes",
    );
  });

  it("says what the check last threw when it times out", async () => {
    await expect(
      eventually(
        () => {
          throw new Error("connection refused");
        },
        "the relay",
        120,
      ),
    ).rejects.toThrow("timed out after 120 ms waiting for the relay; last: connection refused");
  });

  it("rethrows a failed expectation as it was when told nothing to name", async () => {
    await expect(eventually(() => expect(1).toBe(2), undefined, 120)).rejects.toThrow(
      "expected 1 to be 2",
    );
  });

  it("works while the test fakes the timers, advancing them as it waits", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 500);
    await eventually(() => fired, "the faked timer", 10_000);
    expect(fired).toBe(true);
  });
});
