import { isDeviceId } from "@outpost/shared-model";
import { z } from "zod";

const at = z.number().int().nonnegative();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const deviceId = z.string().refine(isDeviceId, { message: "expected a device ID" });
/** `admin:NAME` over HTTP, `cli:USER` from the relay's CLI. */
const by = z.string().min(1).max(200);
/** Token and request IDs: 12 hex digits. */
const shortId = z.string().regex(/^[0-9a-f]{12}$/);

/**
 * Lines of `principals.jsonl` about devices after enrollment: revocation, removal and purge, one-time
 * enrollment tokens, and re-enrollments waiting for an admin (docs/OPERATIONS.md, "Devices").
 */
export const deviceEntrySchemas = [
  z.object({ op: z.literal("device-revoked"), at, deviceId, by }),
  z.object({ op: z.literal("device-removed"), at, deviceId, by }),
  z.object({ op: z.literal("device-purged"), at, deviceId, documents: z.number().int().min(0) }),
  z.object({
    op: z.literal("enrollment-token-created"),
    at,
    tokenId: shortId,
    tokenHash: sha256Hex,
    deviceId: deviceId.optional(),
    expiresAt: at,
    by,
  }),
  z.object({ op: z.literal("enrollment-token-used"), at, tokenId: shortId, deviceId }),
  z.object({ op: z.literal("enrollment-token-revoked"), at, tokenId: shortId, by }),
  z.object({
    op: z.literal("enrollment-requested"),
    at,
    requestId: shortId,
    deviceId,
    hostname: z.string(),
    deviceDocUrl: z.string().min(1),
    remoteAddress: z.string(),
    nonceHash: sha256Hex,
    connectedAtRequest: z.boolean(),
  }),
  z.object({
    op: z.enum(["enrollment-approved", "enrollment-denied"]),
    at,
    requestId: shortId,
    by,
  }),
  z.object({ op: z.literal("enrollment-collected"), at, requestId: shortId }),
] as const;

/** A device lifecycle line of the principals journal. */
export type DeviceEntry = z.infer<(typeof deviceEntrySchemas)[number]>;

/** Enrollment token lines. */
export type EnrollmentTokenEntry = Extract<DeviceEntry, { op: `enrollment-token-${string}` }>;

/** Pending re-enrollment lines. */
export type PendingEnrollmentEntry = Extract<
  DeviceEntry,
  {
    op:
      | "enrollment-requested"
      | "enrollment-approved"
      | "enrollment-denied"
      | "enrollment-collected";
  }
>;
