/** Runtime schemas of the DeviceDoc's sections (the command queue's live in command-schemas.ts). */
import { z } from "zod";
import type {
  Asset,
  CommandArchiveIndexEntry,
  Inventory,
  Policy,
  TelemetryIndexEntry,
} from "../documents/device-doc.js";
import { LIFECYCLES } from "../documents/device-doc.js";

const shortText = z.string().max(500);
const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected a time HH:MM" });
const percent = z.number().min(0).max(100);

/** Per-field schemas of {@link Asset}. */
export const assetShape = {
  assignee: shortText,
  lifecycle: z.enum(LIFECYCLES),
  location: shortText,
  tags: z.array(z.string().min(1).max(100)).max(100),
  notes: z.string().max(20_000),
  updatedBy: shortText.optional(),
  updatedAt: z.number().int().nonnegative().optional(),
} satisfies { [K in keyof Asset]: z.ZodType<Asset[K]> };

/** Per-field schemas of {@link Policy}. */
export const policyShape = {
  samplingIntervalS: z.number().int().min(1).max(3600),
  maintenanceWindow: z.object({ start: clockTime, end: clockTime }),
  load: z.object({
    cpuPercent: percent,
    memoryPercent: percent,
    diskBusyPercent: percent,
    sustainedS: z.number().int().min(0).max(3600),
  }),
  criticalProcessPatterns: z
    .array(z.string().refine(isRegExp, { message: "expected a valid regular expression" }))
    .max(200),
  allowShell: z.boolean(),
  retainDays: z.number().int().min(0).max(365),
} satisfies { [K in keyof Policy]: z.ZodType<Policy[K]> };

/** Schema of {@link Inventory}. */
export const inventorySchema = z.object({
  collectedAt: z.number().int().nonnegative(),
  hostname: shortText,
  os: z.object({
    platform: shortText,
    distro: shortText,
    release: shortText,
    arch: shortText,
    kernel: shortText,
  }),
  hardware: z.object({
    manufacturer: shortText,
    model: shortText,
    serial: shortText,
    cpu: shortText,
    cores: z.number().int().nonnegative(),
    memoryMiB: z.number().nonnegative(),
  }),
  disks: z.array(
    z.object({
      name: shortText,
      type: shortText,
      sizeGiB: z.number().nonnegative(),
      health: shortText.optional(),
    }),
  ),
  nics: z.array(
    z.object({
      name: shortText,
      mac: shortText,
      ipv4: z.array(shortText),
      speedMbps: z.number().nonnegative().optional(),
    }),
  ),
  software: z.object({
    count: z.number().int().nonnegative(),
    sample: z.array(z.object({ name: shortText, version: shortText })),
  }),
}) satisfies z.ZodType<Inventory>;

const rollup = z.object({
  min: z.number(),
  avg: z.number(),
  max: z.number(),
  count: z.number().int().nonnegative(),
});

/** Schema of {@link TelemetryIndexEntry}. */
export const telemetryIndexEntrySchema = z.object({
  url: z.string().startsWith("automerge:", { message: "expected an automerge: URL" }),
  samples: z.number().int().nonnegative(),
  rollup: z.record(z.string(), rollup).optional(),
}) satisfies z.ZodType<TelemetryIndexEntry>;

/** Schema of {@link CommandArchiveIndexEntry}. */
export const commandArchiveIndexEntrySchema = z.object({
  url: z.string().startsWith("automerge:", { message: "expected an automerge: URL" }),
  commands: z.number().int().nonnegative(),
}) satisfies z.ZodType<CommandArchiveIndexEntry>;

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, "i");
    return true;
  } catch {
    return false;
  }
}
