import {
  ADMIN_KEY_LABEL_MAX,
  certificateSchema,
  isAdminName,
  keyIdSchema,
  publicKeySchema,
  revocationSchema,
} from "@outpost/shared-model";
import { z } from "zod";

const at = z.number().int().nonnegative();
const adminName = z.string().refine(isAdminName, { message: "expected an admin name" });

/**
 * The lines of `principals.jsonl` about the fleet's keys (docs/ARCHITECTURE.md, "Trust"): the
 * root's public half (never its private half), where the TrustDoc is, the admin keys registered,
 * and what the root signed about them. Part of the principal journal's entries; the
 * {@link AdminKeyStore} applies them.
 */
export const trustEntrySchemas = [
  z.object({
    op: z.literal("root-key-set"),
    at,
    publicKey: publicKeySchema,
    fleet: z.string().startsWith("SHA256:"),
  }),
  z.object({ op: z.literal("trust-doc-created"), at, documentId: z.string().min(1) }),
  z.object({
    op: z.literal("admin-key-registered"),
    at,
    admin: adminName,
    keyId: keyIdSchema,
    publicKey: publicKeySchema,
    label: z.string().max(ADMIN_KEY_LABEL_MAX),
  }),
  z.object({ op: z.literal("admin-key-certified"), at, certificate: certificateSchema }),
  z.object({ op: z.literal("admin-key-revoked"), at, revocation: revocationSchema }),
] as const;

/** A parsed line about the fleet's keys. */
export type TrustEntry = z.infer<(typeof trustEntrySchemas)[number]>;
