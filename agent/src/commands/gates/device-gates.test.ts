import {
  type Command,
  type CommandState,
  createDeviceDoc,
  enqueueCommand,
  liveCommand,
  parseDeviceId,
  type RunnableCommand,
} from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { inventoryCollectKind as inventoryCollect } from "../kinds/inventory-collect/inventory-collect.js";
import { type DeviceGates, deferralFact, firstClosedGate } from "./device-gates.js";
import { type GateResult, OPEN } from "./gate-result.js";

const doc = createDeviceDoc(parseDeviceId("laptop-1"));
const id = enqueueCommand(
  doc,
  { kind: "inventory.collect", window: "maintenance" },
  { by: "admin:alice", at: 0 },
);
const candidate: RunnableCommand = {
  id,
  command: liveCommand(doc.commands, id) as Command,
  state: { status: "queued" } as CommandState,
};

function gates(closed: Partial<Record<keyof DeviceGates, GateResult>>): {
  gates: DeviceGates;
  asked: string[];
} {
  const asked: string[] = [];
  const gate = (name: keyof DeviceGates) => () => {
    asked.push(name);
    return closed[name] ?? OPEN;
  };
  return {
    asked,
    gates: {
      maintenanceWindow: gate("maintenanceWindow"),
      load: gate("load"),
      criticalOperations: gate("criticalOperations"),
      lock: gate("lock"),
      concurrency: gate("concurrency"),
    },
  };
}

describe("firstClosedGate", () => {
  it("asks in DESIGN order and stops at the first closed gate", () => {
    const { gates: g, asked } = gates({
      load: { open: false, reason: "load", detail: "busy" },
      lock: { open: false, reason: "lock", detail: "held" },
    });
    expect(firstClosedGate(g, candidate, inventoryCollect, new Map())).toEqual({
      open: false,
      reason: "load",
      detail: "busy",
    });
    expect(asked).toEqual(["maintenanceWindow", "load"]);
  });

  it("is open when every gate is", () => {
    const { gates: g, asked } = gates({});
    expect(firstClosedGate(g, candidate, inventoryCollect, new Map())).toEqual({ open: true });
    expect(asked).toEqual([
      "maintenanceWindow",
      "load",
      "criticalOperations",
      "lock",
      "concurrency",
    ]);
  });
});

describe("deferralFact", () => {
  const load = { open: false as const, reason: "load" as const, detail: "CPU 90 %" };

  it("records a deferral when the reason is new, not again for the same reason", () => {
    expect(deferralFact(id, { status: "queued" } as CommandState, load)).toEqual({
      commandId: id,
      fact: { type: "deferred", reason: "load", detail: "CPU 90 %" },
    });
    const deferred = { status: "deferred", reason: "load", detail: "CPU 80 %" } as CommandState;
    expect(deferralFact(id, deferred, load)).toBeUndefined();
    const otherReason = { status: "deferred", reason: "maintenance-window" } as CommandState;
    expect(deferralFact(id, otherReason, load)?.fact).toMatchObject({ reason: "load" });
  });
});
