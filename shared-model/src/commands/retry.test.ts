import { describe, expect, it } from "vitest";
import type { EventId } from "../ids/ids.js";
import type { CommandEvent } from "./events.js";
import { fold } from "./fold.js";
import { nextAutomaticAttemptAt, retryDelayMs } from "./retry.js";
import type { CommandSpec } from "./spec.js";
import { DEFAULT_RETRY_POLICY } from "./spec.js";

describe("retry backoff with full jitter", () => {
  it("draws from zero up to base × factor^(attempt-1), capped", () => {
    const almostOne = () => 0.999_999;
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, almostOne)).toBe(29_999);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 2, almostOne)).toBe(59_999);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 8, almostOne)).toBe(3_599_996);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(0);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(60_000);
  });

  it("stops scheduling automatically once the attempts are spent", () => {
    const spec = { retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } } as CommandSpec;
    const started: CommandEvent = {
      id: "ev-0001" as EventId,
      type: "started",
      attempt: 1,
      at: 0,
      by: "agent:x",
    };
    const failed: CommandEvent = {
      id: "ev-0002" as EventId,
      type: "failed",
      outcome: { exitCode: 1, durationMs: 1 },
      at: 1,
      by: "agent:x",
    };
    const state = fold(spec, [started, failed]);
    expect(nextAutomaticAttemptAt(state, spec.retry, 1000, () => 0.5)).toBeUndefined();
    const generous = { retry: DEFAULT_RETRY_POLICY } as CommandSpec;
    expect(
      nextAutomaticAttemptAt(fold(generous, [started, failed]), generous.retry, 1000, () => 0.5),
    ).toBe(16_000);
  });
});
