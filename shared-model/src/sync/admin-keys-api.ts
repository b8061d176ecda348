/**
 * The relay's HTTP answers about admin keys (docs/ARCHITECTURE.md, "Trust", "Relay HTTP for
 * keys"), shared by the relay that writes them and the dashboard that reads them. Every route
 * takes an admin token; a refusal is a {@link RelayErrorBody}.
 *
 * - `GET /v1/admin-keys` → {@link AdminKeyList}
 * - `POST /v1/admin-keys` {@link RegisterAdminKeyRequest} → `{ key: AdminKeyListing }`
 * - `POST /v1/admin-keys/certificates` `{ certificate }` → `{ key: AdminKeyListing }`
 * - `POST /v1/admin-keys/revocations` `{ revocation }` → `{ key: AdminKeyListing }`
 */
import { z } from "zod";
import type { AdminKeyCertificate, AdminKeyRevocation } from "../trust/certificates.js";
import {
  certificateSchema,
  keyIdSchema,
  publicKeySchema,
  revocationSchema,
} from "../validation/certificate-schemas.js";
import { ValidationFailed } from "../validation/invalid-field.js";
import { toInvalidFields } from "../validation/zod-issues.js";
import type { RelayErrorBody } from "./enrollment.js";

/** Where an admin key stands: registered and waiting, certified by the root, or revoked. */
export const ADMIN_KEY_STATUSES = ["pending", "certified", "revoked"] as const;
/** One of {@link ADMIN_KEY_STATUSES}. */
export type AdminKeyStatus = (typeof ADMIN_KEY_STATUSES)[number];

/** One admin key as the relay lists it. */
export interface AdminKeyListing {
  keyId: string;
  /** The admin whose token registered it (the key signs as `admin:<admin>` once certified). */
  admin: string;
  /** The raw Ed25519 public key, base64url. */
  publicKey: string;
  /** Which browser or machine holds it, as the registering client said. */
  label: string;
  status: AdminKeyStatus;
  /** When the relay registered it (epoch ms, the relay's clock). */
  registeredAt: number;
  /** The root's certificate, once certified. */
  certificate?: AdminKeyCertificate;
  /** The root's revocation, once revoked. */
  revocation?: AdminKeyRevocation;
}

/** `GET /v1/admin-keys`: the fleet's root and every admin key the relay knows. */
export interface AdminKeyList {
  /** The root's raw Ed25519 public key, base64url. */
  rootPublicKey: string;
  /** The root key's fingerprint, `SHA256:…`. */
  fleet: string;
  keys: AdminKeyListing[];
}

/** `POST /v1/admin-keys`: registers the caller's public key (pending); idempotent. */
export interface RegisterAdminKeyRequest {
  publicKey: string;
  /** Which browser or machine holds it, for the people approving it (at most 200 characters). */
  label: string;
}

/** The longest label a relay keeps. */
export const ADMIN_KEY_LABEL_MAX = 200;

/** Schema of {@link AdminKeyListing}. */
export const adminKeyListingSchema = z.object({
  keyId: keyIdSchema,
  admin: z.string().min(1).max(64),
  publicKey: publicKeySchema,
  label: z.string().max(ADMIN_KEY_LABEL_MAX),
  status: z.enum(ADMIN_KEY_STATUSES),
  registeredAt: z.number().int().nonnegative(),
  certificate: certificateSchema.optional(),
  revocation: revocationSchema.optional(),
}) satisfies z.ZodType<AdminKeyListing>;

/** Schema of {@link AdminKeyList}. */
export const adminKeyListSchema = z.object({
  rootPublicKey: publicKeySchema,
  fleet: z.string().min(1),
  keys: z.array(adminKeyListingSchema),
}) satisfies z.ZodType<AdminKeyList>;

/**
 * Reads a relay's `GET /v1/admin-keys` answer.
 *
 * @throws ValidationFailed naming every malformed field
 */
export function parseAdminKeyList(input: unknown): AdminKeyList {
  const parsed = adminKeyListSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationFailed("admin key list", toInvalidFields(parsed.error.issues, input, ""));
}

/** The error text of a relay's refusal, and its field problems if it named any. */
export function relayErrorText(body: unknown, status: number): string {
  const error = body as Partial<RelayErrorBody> | undefined;
  const text = typeof error?.error === "string" ? error.error : `HTTP ${status}`;
  const problems = Array.isArray(error?.problems)
    ? error.problems
        .filter((problem) => typeof problem?.path === "string")
        .map((problem) => `${problem.path}: ${String(problem.message)}`)
    : [];
  return problems.length > 0 ? `${text} (${problems.join("; ")})` : text;
}
