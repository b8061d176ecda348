/** Runtime schemas of the root's statements about admin keys (see trust/certificates.ts). */
import { z } from "zod";
import type { AdminKeyCertificate, AdminKeyRevocation } from "../trust/certificates.js";

const base64Url = (length: number, what: string) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), { message: `expected ${what}` });

/** A key ID: 22 base64url characters. */
export const keyIdSchema = base64Url(22, "a key ID (22 base64url characters)");
/** A raw Ed25519 public key in base64url: 43 characters. */
export const publicKeySchema = base64Url(43, "an Ed25519 public key (43 base64url characters)");
const signature = z.string().regex(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{86}$/, {
  message: "expected a signature <keyId>.<64 bytes in base64url>",
});
const epochMs = z.number().int().nonnegative();

/** Schema of {@link AdminKeyCertificate}. */
export const certificateSchema = z.object({
  admin: z.string().min(1).max(64),
  publicKey: publicKeySchema,
  keyId: keyIdSchema,
  issuedAt: epochMs,
  signature,
}) satisfies z.ZodType<AdminKeyCertificate>;

/** Schema of {@link AdminKeyRevocation}. */
export const revocationSchema = z.object({
  keyId: keyIdSchema,
  revokedAt: epochMs,
  reason: z.string().max(500).optional(),
  signature,
}) satisfies z.ZodType<AdminKeyRevocation>;
