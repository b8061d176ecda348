import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { aliceAt, bobAt, forkReplica, newDeviceReplica, T0 } from "../testing/replicas.js";
import { ValidationFailed } from "../validation/invalid-field.js";
import { DEFAULT_POLICY } from "./create.js";
import { policyChanges, updatePolicy, validatePolicy } from "./policy.js";

describe("updatePolicy", () => {
  it("writes the settings and who edited them", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      updatePolicy(
        d,
        { samplingIntervalS: 30, load: { ...DEFAULT_POLICY.load, cpuPercent: 40 } },
        aliceAt(T0),
      ),
    );
    expect(doc.policy).toMatchObject({
      samplingIntervalS: 30,
      load: { cpuPercent: 40, memoryPercent: DEFAULT_POLICY.load.memoryPercent },
      retainDays: DEFAULT_POLICY.retainDays,
      updatedBy: "admin:alice",
      updatedAt: T0,
    });
  });

  it("refuses a bad setting, naming each one, and writes nothing", () => {
    const before = newDeviceReplica();
    let error: unknown;
    const after = A.change(before, (d) => {
      try {
        updatePolicy(
          d,
          {
            samplingIntervalS: 0,
            maintenanceWindow: { start: "25:00", end: "04:00" },
            retainDays: 5,
          },
          aliceAt(T0),
        );
      } catch (caught) {
        error = caught;
      }
    });
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).problems.map((p) => p.path)).toEqual([
      "policy.samplingIntervalS",
      "policy.maintenanceWindow.start",
    ]);
    expect(after.policy).toEqual(before.policy);
  });

  it("two admins editing different settings offline both keep their edit", () => {
    const base = newDeviceReplica();
    const alice = A.change(forkReplica(base, "a1"), (d) =>
      updatePolicy(d, { maintenanceWindow: { start: "01:00", end: "03:00" } }, aliceAt(T0)),
    );
    const bob = A.change(forkReplica(base, "b1"), (d) =>
      updatePolicy(
        d,
        { load: { ...DEFAULT_POLICY.load, cpuPercent: 30 }, allowShell: true },
        bobAt(T0),
      ),
    );
    const merged = A.merge(A.clone(alice), bob);
    expect(A.merge(A.clone(bob), alice).policy).toEqual(merged.policy);
    expect(merged.policy).toMatchObject({
      maintenanceWindow: { start: "01:00", end: "03:00" },
      load: { cpuPercent: 30 },
      allowShell: true,
    });
  });
});

describe("validatePolicy", () => {
  it("keeps the fallback for each bad setting and reports its path", () => {
    const inForce = { ...DEFAULT_POLICY, samplingIntervalS: 60 };
    const { value, problems } = validatePolicy(
      {
        ...DEFAULT_POLICY,
        samplingIntervalS: -1,
        retainDays: 7,
        criticalProcessPatterns: ["(oops"],
      },
      inForce,
    );
    expect(value).toMatchObject({
      samplingIntervalS: 60,
      retainDays: 7,
      criticalProcessPatterns: [],
    });
    expect(problems.map((p) => p.path)).toEqual([
      "policy.samplingIntervalS",
      "policy.criticalProcessPatterns.0",
    ]);
    expect("updatedBy" in value).toBe(false);
  });
});

describe("policyChanges", () => {
  it("lists the settings that differ, not who edited them", () => {
    const after = {
      ...DEFAULT_POLICY,
      samplingIntervalS: 30,
      maintenanceWindow: { start: "01:00", end: "03:00" },
      updatedBy: "admin:alice",
    };
    expect(policyChanges(DEFAULT_POLICY, after)).toEqual([
      "samplingIntervalS: 10 → 30",
      'maintenanceWindow: {"start":"02:00","end":"04:00"} → {"start":"01:00","end":"03:00"}',
    ]);
  });
});
