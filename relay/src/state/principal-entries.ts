import { isAdminName, isDeviceId } from "@outpost/shared-model";
import { z } from "zod";
import { deviceEntrySchemas } from "./device-entries.js";
import type { EntryParser } from "./journal.js";
import { trustEntrySchemas } from "./trust-entries.js";

const at = z.number().int().nonnegative();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const adminName = z.string().refine(isAdminName, { message: "expected an admin name" });
const deviceId = z.string().refine(isDeviceId, { message: "expected a device ID" });

/** One line of `principals.jsonl`: who may connect, and the relay's own identity. */
export const principalEntrySchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("relay-initialized"),
    at,
    relayId: z.string().min(1),
    fleetDocumentId: z.string().min(1),
  }),
  z.object({ op: z.literal("admin-added"), at, name: adminName, tokenHash: sha256Hex }),
  z.object({ op: z.literal("admin-revoked"), at, name: adminName }),
  z.object({ op: z.literal("enrollment-secret-set"), at, secret: z.string().min(16) }),
  z.object({
    op: z.literal("device-enrolled"),
    at,
    deviceId,
    hostname: z.string(),
    tokenHash: sha256Hex,
    deviceDocumentId: z.string().min(1),
  }),
  ...trustEntrySchemas,
  ...deviceEntrySchemas,
]);

/** A parsed line of the principals journal. */
export type PrincipalEntry = z.infer<typeof principalEntrySchema>;

/** Parser for {@link Journal.open}. */
export const parsePrincipalEntry: EntryParser<PrincipalEntry> = (raw) => {
  const parsed = principalEntrySchema.safeParse(raw);
  return parsed.success
    ? { ok: true, entry: parsed.data }
    : {
        ok: false,
        why: parsed.error.issues
          .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
          .join("; "),
      };
};
