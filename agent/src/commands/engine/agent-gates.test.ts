import { DEFAULT_POLICY } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { LoadGate } from "../gates/load-gate.js";
import { AgentGates } from "./agent-gates.js";

const disruptive = { defaults: { disruptive: true } } as never;
const candidate = { command: { spec: {} } } as never;

describe("AgentGates", () => {
  // The bug: the window was judged at the start of an evaluation, and validating a pending
  // command (and starting others first) takes time. A command judged at 03:59 started after the
  // 04:00 close; with the story's fast clock, one second late is an hour outside.
  it("judges the maintenance window when a candidate is checked, not when the evaluation began", async () => {
    let now = Date.parse("2026-12-03T03:59:30Z");
    const load = new LoadGate(DEFAULT_POLICY.load);
    // A calm device: only the window can hold the command back.
    for (const at of [now - 130_000, now - 60_000, now])
      load.observe({ at, cpuPercent: 1, memoryPercent: 1, diskBusyPercent: 1 });
    const gates = new AgentGates({
      device: undefined as never,
      policy: () => ({ ...DEFAULT_POLICY, maintenanceWindow: { start: "02:00", end: "04:00" } }),
      load,
      now: () => now,
      processNames: async () => [],
      timeZone: "UTC",
    });
    const check = await gates.prepare();
    expect(await check(candidate, disruptive, new Map())).toEqual({ open: true });
    now = Date.parse("2026-12-03T04:00:30Z");
    const late = await check(candidate, disruptive, new Map());
    expect(late.open).toBe(false);
    expect(late.open === false && late.reason).toBe("maintenance-window");
  });

  // An idle agent whose queue waits for its window re-plans every tick: reading every process's
  // name each time, for a gate no command reaches, was most of what the queue cost it.
  it("reads the process list only when a candidate gets past the window, and once an evaluation", async () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    const load = new LoadGate(DEFAULT_POLICY.load);
    for (const at of [now - 130_000, now - 60_000, now])
      load.observe({ at, cpuPercent: 1, memoryPercent: 1, diskBusyPercent: 1 });
    let reads = 0;
    const gates = new AgentGates({
      device: undefined as never,
      policy: () => ({ ...DEFAULT_POLICY, maintenanceWindow: { start: "02:00", end: "04:00" } }),
      load,
      now: () => now,
      processNames: async () => {
        reads += 1;
        return ["apt-get"];
      },
      timeZone: "UTC",
    });
    const closedWindow = await gates.prepare();
    for (let index = 0; index < 100; index++) {
      expect(await closedWindow(candidate, disruptive, new Map())).toMatchObject({
        reason: "maintenance-window",
      });
    }
    expect(reads).toBe(0);

    const anyTime = { defaults: { disruptive: false } } as never;
    const plain = { command: { spec: { window: "any" } } } as never;
    const check = await gates.prepare();
    const results = await Promise.all([1, 2, 3].map(() => check(plain, anyTime, new Map())));
    expect(results.map((result) => result.open === false && result.reason)).toEqual([
      "critical-operation",
      "critical-operation",
      "critical-operation",
    ]);
    expect(reads).toBe(1);
  });
});
