import { DEFAULT_POLICY, type Policy } from "@outpost/shared-model";
import { expect, it } from "vitest";
import type { ProcessRun } from "../../execution/run-process.js";
import { runLowPriority } from "../../execution/run-process.js";
import type { CommandKind, KindContext, SystemControl } from "../command-kind.js";

/** A system that records what it was asked and pretends it worked. */
export class FakeSystem implements SystemControl {
  readonly calls: string[] = [];

  async restartService(name: string): Promise<ProcessRun> {
    this.calls.push(`restart ${name}`);
    return { exitCode: 0, signal: null, durationMs: 1, stdout: `restarted ${name}\n`, stderr: "" };
  }

  async reboot(): Promise<ProcessRun> {
    this.calls.push("reboot");
    return { exitCode: 0, signal: null, durationMs: 1, stdout: "rebooting\n", stderr: "" };
  }
}

/** A kind context with the real process runner and fakes for the rest. */
export function fakeKindContext(
  overrides: Partial<Omit<KindContext, "policy">> & { policy?: Partial<Policy> } = {},
): KindContext {
  return {
    scriptsFolder: "/nonexistent-scripts",
    system: new FakeSystem(),
    runProcess: runLowPriority,
    refreshInventory: async () => ({ changed: false }),
    ...overrides,
    policy: { ...structuredClone(DEFAULT_POLICY), ...overrides.policy },
  };
}

/** Arguments from a hostile or careless admin; no kind may throw on them. */
const GARBAGE_ARGS = [
  {},
  { name: 42 },
  { name: "../../etc/passwd", sha256: "x" },
  { command: ["rm", "-rf", "/"] },
  { unexpected: true, name: "" },
];

/** The contract every command kind passes, as the collectors' and the storage adapter's. */
export function runCommandKindContract(kind: CommandKind, makeContext: () => KindContext): void {
  it("has a dotted lower-case name and complete defaults", () => {
    expect(kind.name).toMatch(/^[a-z]+\.[a-z]+$/);
    expect(kind.defaults.timeoutS).toBeGreaterThan(0);
    for (const flag of ["idempotent", "interruptible", "disruptive"] as const) {
      expect(typeof kind.defaults[flag]).toBe("boolean");
    }
  });

  it("answers garbage arguments with a reason or nothing, never an exception", async () => {
    for (const args of GARBAGE_ARGS) {
      const problem = await kind.validate(args as never, makeContext());
      if (problem !== undefined) expect(problem.length).toBeGreaterThan(0);
    }
  });

  it("runs garbage arguments to an outcome, never an exception", async () => {
    for (const args of GARBAGE_ARGS) {
      const outcome = await kind.run(args as never, makeContext(), new AbortController().signal);
      expect(typeof outcome.durationMs).toBe("number");
      expect(outcome.exitCode === null || Number.isInteger(outcome.exitCode)).toBe(true);
    }
  });
}
