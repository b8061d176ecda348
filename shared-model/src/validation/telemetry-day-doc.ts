import { z } from "zod";
import { toPlain } from "../documents/stored-strings.js";
import type {
  AuditEntry,
  HourBucket,
  MetricDescriptor,
  TelemetryDayDoc,
} from "../documents/telemetry-day-doc.js";
import { TELEMETRY_DAY_DOC_SCHEMA } from "../documents/telemetry-day-doc.js";
import { isDay, isDeviceId } from "../ids/ids.js";
import { checkIdentity } from "./identity.js";
import { InvalidField } from "./invalid-field.js";
import type { Validated } from "./validated.js";
import { validEntries } from "./validated.js";
import { parseOrProblems, parseRecording } from "./zod-issues.js";

const HOUR_KEY = /^([01]\d|2[0-3])$/;
const metricDescriptorSchema = z.object({
  unit: z.string().max(20),
  scale: z.number().positive(),
}) satisfies z.ZodType<MetricDescriptor>;
const auditEntrySchema = z.object({
  at: z.number().int().nonnegative(),
  actor: z.string().max(200),
  action: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: "expected a kebab-case action" }),
  detail: z.string().max(20_000),
}) satisfies z.ZodType<AuditEntry>;
const hourBucketSchema = z.object({
  t: z.array(
    z
      .number()
      .int()
      .min(0)
      .max(3599, { message: "expected seconds since the start of the hour, 0..3599" }),
  ),
  v: z.record(z.string(), z.array(z.number().int().nullable())),
}) satisfies z.ZodType<HourBucket>;

/**
 * Validates a TelemetryDayDoc. A bad metric descriptor, hour bucket (including columns whose
 * length differs from `t`, or times outside 0..3599) or audit entry is left out and reported.
 */
export function validateTelemetryDayDoc(input: unknown): Validated<TelemetryDayDoc> {
  const problems: InvalidField[] = [];
  if (!checkIdentity(input, "TelemetryDayDoc", TELEMETRY_DAY_DOC_SCHEMA, problems)) {
    return { value: null, problems };
  }
  const { deviceId, day } = input;
  if (!isDeviceId(deviceId)) problems.push(new InvalidField("deviceId", "a device ID", deviceId));
  if (!isDay(day)) problems.push(new InvalidField("day", "a day YYYY-MM-DD", day));
  if (!isDeviceId(deviceId) || !isDay(day)) return { value: null, problems };
  const interval = parseOrProblems(z.number().int().min(1).max(3600), input.intervalS, "intervalS");
  if (!interval.ok) problems.push(...interval.problems);

  const metrics = validEntries(
    input.metrics,
    (_name, descriptor, path) => parseRecording(metricDescriptorSchema, descriptor, path, problems),
    "metrics",
  );
  const hours = validEntries(
    input.hours,
    (hour, bucket, path) => validHour(hour, bucket, path, problems),
    "hours",
  );
  const audit: AuditEntry[] = [];
  // Audit strings are ImmutableStrings (documents/stored-strings.ts), or text written before.
  const rawAudit = Array.isArray(input.audit) ? toPlain<unknown[]>(input.audit) : [];
  rawAudit.forEach((entry, index) => {
    const parsed = parseRecording(auditEntrySchema, entry, `audit.${index}`, problems);
    if (parsed) audit.push(parsed);
  });
  return {
    value: {
      schema: TELEMETRY_DAY_DOC_SCHEMA,
      deviceId,
      day,
      intervalS: interval.ok ? interval.value : 10,
      metrics,
      hours,
      audit,
    },
    problems,
  };
}

function validHour(
  hour: string,
  bucket: unknown,
  path: string,
  problems: InvalidField[],
): HourBucket | undefined {
  if (!HOUR_KEY.test(hour)) {
    problems.push(new InvalidField(path, "an hour key 00..23", hour));
    return undefined;
  }
  const parsed = parseRecording(hourBucketSchema, bucket, path, problems);
  if (!parsed) return undefined;
  for (const [metric, column] of Object.entries(parsed.v)) {
    if (column.length !== parsed.t.length) {
      problems.push(
        new InvalidField(
          `${path}.v.${metric}`,
          `${parsed.t.length} values, one per sample time`,
          `${column.length} values`,
        ),
      );
      return undefined;
    }
  }
  return parsed;
}
