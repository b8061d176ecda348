/**
 * Schemas of the relay's admin HTTP answers about devices (device-admin.ts), for a client that
 * must not trust what comes over the network blindly: the dashboard reads every answer through
 * these. Unknown fields are dropped, so a newer relay that adds one still parses.
 */
import { z } from "zod";
import { ValidationFailed } from "../validation/invalid-field.js";
import { toInvalidFields } from "../validation/zod-issues.js";
import type {
  DeviceListing,
  EnrollmentTokenIssued,
  EnrollmentTokenSummary,
  PendingEnrollmentSummary,
} from "./device-admin.js";

const time = z.number().int().nonnegative();
const deviceStatus = z.enum(["active", "revoked", "removed"]);
/** The relay's IDs for tokens and re-enrollment requests: 12 hex digits. */
const shortId = z.string().regex(/^[0-9a-f]{12}$/, { message: "expected 12 hex digits" });

/** Schema of {@link DeviceListing}. */
export const deviceListingSchema = z.object({
  deviceId: z.string().min(1),
  hostname: z.string(),
  deviceDocUrl: z.string(),
  status: deviceStatus,
  enrolledAt: time,
  revokedAt: time.optional(),
  removedAt: time.optional(),
  connected: z.boolean().optional(),
  ownedDocuments: z.number().int().nonnegative(),
}) satisfies z.ZodType<DeviceListing>;

/** Schema of {@link PendingEnrollmentSummary}. */
export const pendingEnrollmentSummarySchema = z.object({
  requestId: shortId,
  deviceId: z.string().min(1),
  hostname: z.string(),
  deviceDocUrl: z.string(),
  remoteAddress: z.string(),
  requestedAt: time,
  status: z.enum(["pending", "approved", "denied", "collected", "expired"]),
  decidedAt: time.optional(),
  decidedBy: z.string().optional(),
  current: z
    .object({
      hostname: z.string(),
      deviceDocUrl: z.string(),
      status: deviceStatus,
      enrolledAt: time,
      connectedAtRequest: z.boolean(),
      connectedNow: z.boolean().optional(),
    })
    .optional(),
}) satisfies z.ZodType<PendingEnrollmentSummary>;

/** Schema of {@link EnrollmentTokenSummary}. */
export const enrollmentTokenSummarySchema = z.object({
  tokenId: shortId,
  deviceId: z.string().min(1).optional(),
  createdAt: time,
  createdBy: z.string(),
  expiresAt: time,
  usedAt: time.optional(),
  usedBy: z.string().optional(),
  revokedAt: time.optional(),
}) satisfies z.ZodType<EnrollmentTokenSummary>;

/** Schema of {@link EnrollmentTokenIssued}. */
export const enrollmentTokenIssuedSchema = z.object({
  tokenId: shortId,
  token: z.string().min(1),
  deviceId: z.string().min(1).optional(),
  expiresAt: time,
  relayUrl: z.string().min(1),
  rootKeyFingerprint: z.string().min(1).optional(),
  install: z.object({ shell: z.string().min(1), powershell: z.string().min(1) }),
}) satisfies z.ZodType<EnrollmentTokenIssued>;

/** The relay's answers about devices, by route (`{ devices }` from `GET /v1/devices`, …). */
export const deviceAdminAnswers = {
  /** `GET /v1/devices` */
  devices: z.object({ devices: z.array(deviceListingSchema) }),
  /** `POST /v1/devices/{id}/revoke | remove` */
  device: z.object({ device: deviceListingSchema }),
  /** `GET /v1/pending-enrollments` */
  requests: z.object({ requests: z.array(pendingEnrollmentSummarySchema) }),
  /** `POST /v1/pending-enrollments/{id}/approve | deny` */
  request: z.object({ request: pendingEnrollmentSummarySchema }),
  /** `GET /v1/enrollment-tokens` */
  tokens: z.object({ tokens: z.array(enrollmentTokenSummarySchema) }),
  /** `POST /v1/enrollment-tokens` */
  issued: enrollmentTokenIssuedSchema,
  /** `POST /v1/enrollment-tokens/{id}/revoke` */
  tokenRevoked: z.object({ tokenId: shortId, revoked: z.literal(true) }),
} as const;

/**
 * Reads a relay answer with `schema`.
 *
 * @throws ValidationFailed naming every malformed field of `subject` ("device list", say)
 */
export function parseRelayAnswer<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject: string,
): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationFailed(subject, toInvalidFields(parsed.error.issues, input, ""));
}
