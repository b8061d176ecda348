import { describe, expect, it } from "vitest";
import type { DeviceDoc, Inventory } from "../documents/device-doc.js";
import type { MetricRollup } from "../telemetry/rollup.js";
import { HEALTH_THRESHOLDS, healthOf } from "./health.js";

type HealthInput = Pick<DeviceDoc, "telemetry" | "inventory">;

function stat(value: number): MetricRollup {
  return { min: value, avg: value, max: value, count: 1 };
}

function inventoryWithMemory(memoryMiB: number): Inventory {
  return {
    collectedAt: 0,
    hostname: "laptop-042",
    os: { platform: "linux", distro: "Ubuntu", release: "24.04", arch: "x64", kernel: "6.8" },
    hardware: { manufacturer: "Lenovo", model: "T14", serial: "s", cpu: "c", cores: 8, memoryMiB },
    disks: [],
    nics: [],
    software: { count: 0, sample: [] },
  };
}

/** A device whose only closed day is 2026-03-02, with `rollup`. */
function deviceWith(rollup: Record<string, MetricRollup>, memoryMiB = 16_384): HealthInput {
  return {
    inventory: inventoryWithMemory(memoryMiB),
    telemetry: { "2026-03-02": { url: "automerge:x", samples: 10, rollup } },
  } as HealthInput;
}

describe("healthOf", () => {
  it("is unknown without telemetry or without a closed day", () => {
    expect(healthOf({ telemetry: {}, inventory: null } as HealthInput)).toEqual({
      health: "unknown",
      reasons: [],
    });
    const onlyOpenDay = { telemetry: { "2026-03-03": { url: "automerge:y", samples: 5 } } };
    expect(healthOf({ ...onlyOpenDay, inventory: null } as HealthInput).health).toBe("unknown");
  });

  it("judges the newest closed day, skipping a newer open one", () => {
    const doc = {
      inventory: null,
      telemetry: {
        "2026-02-28": { url: "automerge:a", samples: 1, rollup: { disk: stat(99) } },
        "2026-03-01": { url: "automerge:b", samples: 1, rollup: { disk: stat(10) } },
        "2026-03-02": { url: "automerge:c", samples: 1 },
      },
    } as HealthInput;
    expect(healthOf(doc)).toEqual({ health: "ok", reasons: [], day: "2026-03-01" });
  });

  it.each([
    ["disk max", "disk", HEALTH_THRESHOLDS.diskPercentMax, "max", "disk 95 % full"],
    ["CPU average", "cpu", HEALTH_THRESHOLDS.cpuPercentAvg, "avg", "CPU 97 % busy on average"],
    ["temperature max", "temperature", HEALTH_THRESHOLDS.temperatureMax, "max", "CPU at 95 °C"],
  ] as const)(
    "grades the %s at its thresholds",
    (_label, metric, limits, statistic, criticalReason) => {
      const verdictAt = (value: number) => {
        const rollup = { ...stat(0), [statistic]: value };
        return healthOf(deviceWith({ [metric]: rollup }));
      };
      expect(verdictAt(limits.warning - 0.5).health).toBe("ok");
      expect(verdictAt(limits.warning).health).toBe("warning");
      expect(verdictAt(limits.critical - 0.5).health).toBe("warning");
      expect(verdictAt(limits.critical)).toEqual({
        health: "critical",
        reasons: [criticalReason],
        day: "2026-03-02",
      });
    },
  );

  it("reads the statistic each threshold is about (a busy moment is not a busy day)", () => {
    const spike: MetricRollup = { min: 5, avg: 20, max: 100, count: 100 };
    expect(healthOf(deviceWith({ cpu: spike })).health).toBe("ok");
    const fullOnce: MetricRollup = { min: 50, avg: 60, max: 96, count: 100 };
    expect(healthOf(deviceWith({ disk: fullOnce })).health).toBe("critical");
  });

  it("grades memory as a share of the inventory's memory size", () => {
    const memoryOf = (usedMiB: number, totalMiB: number) =>
      healthOf(deviceWith({ memory: stat(usedMiB) }, totalMiB));
    expect(memoryOf(14_000, 16_000).health).toBe("ok");
    expect(memoryOf(14_420, 16_000)).toMatchObject({
      health: "warning",
      reasons: ["memory 90 % used on average"],
    });
    expect(memoryOf(15_536, 16_000)).toMatchObject({
      health: "critical",
      reasons: ["memory 97 % used on average"],
    });
    expect(memoryOf(15_536, 64_000).health).toBe("ok");
  });

  it("cannot grade memory without the inventory's memory size", () => {
    const doc = { ...deviceWith({ memory: stat(15_900) }), inventory: null } as HealthInput;
    expect(healthOf(doc).health).toBe("ok");
    expect(healthOf(deviceWith({ memory: stat(15_900) }, 0)).health).toBe("ok");
  });

  it("calls any failing disk critical", () => {
    expect(healthOf(deviceWith({ diskFailing: stat(0) })).health).toBe("ok");
    expect(healthOf(deviceWith({ diskFailing: stat(2) }))).toMatchObject({
      health: "critical",
      reasons: ["2 disk(s) failing SMART"],
    });
  });

  it("lists every finding, worst level wins, values rounded", () => {
    const verdict = healthOf(
      deviceWith({ disk: stat(87.4), temperature: stat(96.6), cpu: stat(12) }),
    );
    expect(verdict.health).toBe("critical");
    expect(verdict.reasons).toEqual(["disk 87 % full", "CPU at 97 °C"]);
  });

  it("ignores metrics with non-finite values", () => {
    expect(healthOf(deviceWith({ disk: stat(Number.NaN) })).health).toBe("ok");
  });
});
