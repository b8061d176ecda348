import type { DeviceId, DeviceSummary } from "@outpost/shared-model";
import type { BuiltDay, DayPlan } from "./telemetry-week.js";

/** A job for a document-builder process. */
export type BuildJob =
  | { type: "devices"; seed: number; now: number; indices: number[] }
  | { type: "day"; deviceId: DeviceId; plan: DayPlan; seed: number };

/** A saved synthetic DeviceDoc. */
export interface BuiltDevice {
  index: number;
  deviceId: DeviceId;
  hostname: string;
  binary: Uint8Array;
  heads: string[];
  /** What the relay would write into the summary shards for it. */
  summary: DeviceSummary;
}

/** A builder's answer to one job. */
export type BuildResult =
  | { type: "devices"; devices: BuiltDevice[] }
  | { type: "day"; day: BuiltDay };
