import { messageOf, STANDARD_METRICS, toFixedPoint } from "@outpost/shared-model";
import { expect, it } from "vitest";
import type { Collector, CollectorContext } from "../collector.js";
import { CollectorFailed } from "../collector.js";
import type { SystemInfo } from "../system-info.js";

/**
 * The contract every collector plugin passes (as automerge-repo's `runStorageAdapterTests`):
 * call it inside the plugin's `describe` with a context over its fixtures.
 */
export function runCollectorContract(collector: Collector, makeContext: () => CollectorContext) {
  it("declares a kebab-case name, a non-negative interval and standard metrics", () => {
    expect(collector.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(collector.defaults.intervalS).toBeGreaterThanOrEqual(0);
    expect(Object.keys(collector.metrics).length).toBeGreaterThan(0);
    for (const [name, descriptor] of Object.entries(collector.metrics)) {
      // One catalog, so every day document and the dashboard agree on units and scales.
      expect(STANDARD_METRICS, name).toHaveProperty(name, descriptor);
    }
  });

  it("reports only its own metrics, as finite numbers that store as safe integers", async () => {
    const instance = collector.create(makeContext());
    for (let tick = 0; tick < 3; tick += 1) {
      const readings = await instance.collect();
      for (const [name, value] of Object.entries(readings)) {
        const descriptor = collector.metrics[name];
        expect(descriptor, `undeclared metric ${name}`).toBeDefined();
        expect(Number.isFinite(value), `${name} = ${value}`).toBe(true);
        if (descriptor) expect(Number.isSafeInteger(toFixedPoint(value, descriptor))).toBe(true);
      }
    }
  });

  it("turns a failing system call into CollectorFailed, never another error", async () => {
    const failing = new Proxy({} as SystemInfo, {
      // `time` is synchronous in systeminformation and throws; the others reject.
      get: (_target, method) => () => {
        const error = new Error("EACCES: permission denied");
        if (method === "time") throw error;
        return Promise.reject(error);
      },
    });
    const instance = collector.create({ ...makeContext(), system: failing });
    for (let tick = 0; tick < 2; tick += 1) {
      const outcome = await instance.collect().then(
        (readings) => ({ readings }),
        (error: unknown) => ({ error }),
      );
      if ("error" in outcome) {
        expect(outcome.error).toBeInstanceOf(CollectorFailed);
        expect(messageOf(outcome.error)).toContain(collector.name);
      } else {
        // A collector that needs no system call (connectivity) still reports normally.
        for (const name of Object.keys(outcome.readings))
          expect(collector.metrics).toHaveProperty(name);
      }
    }
  });
}
