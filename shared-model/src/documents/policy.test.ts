import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { aliceAt, bobAt, forkReplica, newDeviceReplica, T0 } from "../testing/replicas.js";
import { ValidationFailed } from "../validation/invalid-field.js";
import { DEFAULT_POLICY } from "./create.js";
import {
  lastPolicyEdit,
  policyChanges,
  policyValues,
  updatePolicy,
  validatePolicyRecord,
} from "./policy.js";

describe("updatePolicy", () => {
  it("writes one register per setting, with who set it", () => {
    const doc = A.change(newDeviceReplica(), (d) =>
      updatePolicy(
        d,
        { samplingIntervalS: 30, load: { ...DEFAULT_POLICY.load, cpuPercent: 40 } },
        aliceAt(T0),
      ),
    );
    expect(doc.policy).toEqual({
      samplingIntervalS: { value: 30, setBy: "admin:alice", setAt: T0 },
      load: {
        value: { ...DEFAULT_POLICY.load, cpuPercent: 40 },
        setBy: "admin:alice",
        setAt: T0,
      },
    });
    expect(policyValues(doc.policy, DEFAULT_POLICY)).toMatchObject({
      samplingIntervalS: 30,
      load: { cpuPercent: 40, memoryPercent: DEFAULT_POLICY.load.memoryPercent },
      retainDays: DEFAULT_POLICY.retainDays,
    });
    expect(lastPolicyEdit(doc.policy)).toEqual({ by: "admin:alice", at: T0 });
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
    expect(policyValues(merged.policy, DEFAULT_POLICY)).toMatchObject({
      maintenanceWindow: { start: "01:00", end: "03:00" },
      load: { cpuPercent: 30 },
      allowShell: true,
    });
  });

  it("two admins setting the same setting offline converge on one whole register", () => {
    const base = newDeviceReplica();
    const alice = A.change(forkReplica(base, "a1"), (d) =>
      updatePolicy(d, { maintenanceWindow: { start: "01:00", end: "03:00" } }, aliceAt(T0)),
    );
    const bob = A.change(forkReplica(base, "b1"), (d) =>
      updatePolicy(d, { maintenanceWindow: { start: "22:00", end: "23:00" } }, bobAt(T0)),
    );
    const merged = A.merge(A.clone(alice), bob);
    expect(A.merge(A.clone(bob), alice).policy).toEqual(merged.policy);
    // Never alice's start with bob's end: the register is replaced whole, value and author.
    const window = merged.policy.maintenanceWindow;
    expect([
      { value: { start: "01:00", end: "03:00" }, setBy: "admin:alice", setAt: T0 },
      { value: { start: "22:00", end: "23:00" }, setBy: "admin:bob", setAt: T0 },
    ]).toContainEqual(window);
  });
});

describe("validatePolicyRecord", () => {
  it("leaves out each bad register and a plain value where a register belongs, naming each", () => {
    const { value, problems } = validatePolicyRecord({
      samplingIntervalS: { value: -1, setBy: "admin:alice", setAt: T0 },
      retainDays: { value: 7, setBy: "admin:alice", setAt: T0, signature: "x.y" },
      criticalProcessPatterns: { value: ["(oops"], setBy: "admin:alice", setAt: T0 },
      allowShell: true,
    });
    expect(value).toEqual({
      retainDays: { value: 7, setBy: "admin:alice", setAt: T0, signature: "x.y" },
    });
    expect(problems.map((p) => p.path)).toEqual([
      "policy.samplingIntervalS.value",
      "policy.criticalProcessPatterns.value.0",
      "policy.allowShell",
    ]);
  });
});

describe("policyChanges", () => {
  it("lists the settings that differ", () => {
    const after = {
      ...DEFAULT_POLICY,
      samplingIntervalS: 30,
      maintenanceWindow: { start: "01:00", end: "03:00" },
    };
    expect(policyChanges(DEFAULT_POLICY, after)).toEqual([
      "samplingIntervalS: 10 → 30",
      'maintenanceWindow: {"start":"02:00","end":"04:00"} → {"start":"01:00","end":"03:00"}',
    ]);
  });
});
