import type { DeviceId } from "../ids/ids.js";
import type { Asset, DeviceDoc, Policy } from "./device-doc.js";
import { DEVICE_DOC_SCHEMA } from "./device-doc.js";
import type { FleetDoc } from "./fleet-doc.js";
import { FLEET_DOC_SCHEMA } from "./fleet-doc.js";

/** The policy a device runs under until an admin edits it (ARCHITECTURE.md, "Policy"). */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  samplingIntervalS: 10,
  maintenanceWindow: { start: "02:00", end: "04:00" },
  load: { cpuPercent: 60, memoryPercent: 85, diskBusyPercent: 50, sustainedS: 120 },
  criticalProcessPatterns: [],
  allowShell: false,
  retainDays: 2,
});

/** A fresh asset record: deployed, unassigned. */
export const DEFAULT_ASSET: Readonly<Asset> = Object.freeze({
  assignee: "",
  lifecycle: "deployed",
  location: "",
  tags: [],
  notes: "",
});

/** The initial content of a device's document, for `repo.create(...)`. */
export function createDeviceDoc(deviceId: DeviceId): DeviceDoc {
  return {
    schema: DEVICE_DOC_SCHEMA,
    deviceId,
    inventory: null,
    asset: structuredClone(DEFAULT_ASSET) as Asset,
    policy: {},
    telemetry: {},
    commands: {},
    signers: {},
  };
}

/** The initial content of a relay's fleet document. */
export function createFleetDoc(): FleetDoc {
  return { schema: FLEET_DOC_SCHEMA, devices: {} };
}
