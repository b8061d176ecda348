/** Runtime schemas of the command queue: the spec, the priority register and every event. */
import { z } from "zod";
import type { ArchiveMark, ArchiveMonth } from "../commands/archived.js";
import { isArchiveMonth } from "../commands/archived.js";
import type { CommandEvent } from "../commands/events.js";
import { DEFERRAL_REASONS } from "../commands/events.js";
import type { CommandSpec, PriorityRegister } from "../commands/spec.js";
import { COMMAND_WINDOWS, PRIORITY } from "../commands/spec.js";
import type { CommandId, EventId } from "../ids/ids.js";
import { isCommandId } from "../ids/ids.js";
import { ValidationFailed } from "./invalid-field.js";
import { parseOrProblems } from "./zod-issues.js";

const OPAQUE_ID = /^[A-Za-z0-9_-]{4,64}$/;
const epochMs = z.number().int("an integer epoch-milliseconds time").nonnegative();
const principal = z.string().min(1).max(200);
const commandId = z.custom<CommandId>(isCommandId, {
  message: "expected a command ID (4-64 of [A-Za-z0-9_-])",
});
const eventId = z
  .string()
  .regex(OPAQUE_ID, { message: "expected an event ID (4-64 of [A-Za-z0-9_-])" })
  .transform((id) => id as EventId);

/** Schema of {@link RetryPolicy}. */
export const retryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1).max(100),
  baseDelayS: z.number().min(0).max(86_400),
  factor: z.number().min(1).max(10),
  maxDelayS: z
    .number()
    .min(0)
    .max(7 * 86_400),
});

/** A signature as written (see trust/signature.ts); whether it verifies is the verifier's call. */
const signatureText = z.string().min(1).max(200);

const argValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

/** Schema of {@link CommandSpec}. */
export const commandSpecSchema = z
  .object({
    id: commandId,
    kind: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, {
      message: "expected a kind such as script.run (lowercase words joined by dots)",
    }),
    args: z.record(z.string(), argValue),
    createdBy: principal,
    createdAt: epochMs,
    dedupeKey: z.string().min(1).max(200).optional(),
    dependsOn: z.array(commandId).max(64),
    lock: z.string().min(1).max(100).optional(),
    window: z.enum(COMMAND_WINDOWS),
    notBefore: epochMs.optional(),
    expiresAt: epochMs.optional(),
    retry: retryPolicySchema,
    signature: signatureText.optional(),
  })
  .refine((spec) => !spec.dependsOn.includes(spec.id), {
    message: "expected no dependency on the command itself",
    path: ["dependsOn"],
  }) satisfies z.ZodType<CommandSpec>;

const priorityValue = z.number().int().min(PRIORITY.min).max(PRIORITY.max);

/** Schema of {@link PriorityRegister}. */
export const priorityRegisterSchema = z.object({
  value: priorityValue,
  setBy: principal,
  setAt: epochMs,
  signature: signatureText.optional(),
}) satisfies z.ZodType<PriorityRegister>;

const base = { id: eventId, at: epochMs, by: principal };
const outcome = z.object({
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  error: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});

/** Schema of one {@link CommandEvent}, intent or fact, discriminated by `type`. */
export const commandEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("cancel-requested"),
    reason: z.string().optional(),
    signature: signatureText.optional(),
  }),
  z.object({ ...base, type: z.literal("retry-requested"), signature: signatureText.optional() }),
  z.object({
    ...base,
    type: z.literal("note"),
    text: z.string().max(10_000),
    signature: signatureText.optional(),
  }),
  z.object({ ...base, type: z.literal("accepted") }),
  z.object({ ...base, type: z.literal("rejected"), reason: z.string() }),
  z.object({
    ...base,
    type: z.literal("deferred"),
    reason: z.enum(DEFERRAL_REASONS),
    detail: z.string().optional(),
  }),
  z.object({ ...base, type: z.literal("started"), attempt: z.number().int().min(1) }),
  z.object({ ...base, type: z.literal("succeeded"), outcome }),
  z.object({ ...base, type: z.literal("failed"), outcome }),
  z.object({
    ...base,
    type: z.literal("retry-scheduled"),
    notBefore: epochMs,
    answers: eventId.optional(),
  }),
  z.object({ ...base, type: z.literal("interrupted") }),
  z.object({ ...base, type: z.literal("cancelled"), answers: eventId.optional() }),
  z.object({ ...base, type: z.literal("superseded"), winner: commandId }),
  z.object({ ...base, type: z.literal("blocked"), reason: z.string(), dependency: commandId }),
  z.object({ ...base, type: z.literal("expired") }),
  z.object({ ...base, type: z.literal("cancel-too-late"), answers: eventId }),
  z.object({ ...base, type: z.literal("retry-declined"), answers: eventId, reason: z.string() }),
  z.object({ ...base, type: z.literal("intent-rejected"), answers: eventId, reason: z.string() }),
]) satisfies z.ZodType<CommandEvent>;

/** Throws {@link ValidationFailed} listing every problem of a spec about to be written. */
export function checkCommandSpec(spec: CommandSpec): void {
  const result = parseOrProblems(commandSpecSchema, spec, "spec");
  if (!result.ok) throw new ValidationFailed("command spec", result.problems);
}

/** Throws {@link ValidationFailed} unless `value` is an integer priority in range. */
export function checkPriority(value: number): void {
  const result = parseOrProblems(priorityValue, value, "priority");
  if (!result.ok) throw new ValidationFailed("priority", result.problems);
}

const terminalStatus = z.enum([
  "succeeded",
  "failed",
  "interrupted",
  "cancelled",
  "rejected",
  "superseded",
  "blocked",
  "expired",
]);

/** Schema of {@link ArchiveMark}. */
export const archiveMarkSchema = z.object({
  month: z.custom<ArchiveMonth>(isArchiveMonth, { message: "expected a month YYYY-MM" }),
  at: epochMs,
  status: terminalStatus,
  winner: commandId.optional(),
  createdAt: epochMs,
  dedupeKey: z.string().min(1).max(200).optional(),
  started: z.boolean(),
}) satisfies z.ZodType<ArchiveMark>;
