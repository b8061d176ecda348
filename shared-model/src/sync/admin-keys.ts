/**
 * The relay's admin key endpoints (docs/ARCHITECTURE.md, "Relay HTTP for keys"): request and
 * answer shapes shared by the relay and the dashboard. Every request carries an admin token
 * (`Authorization: Bearer …`).
 */
import { z } from "zod";
import type { AdminKeyCertificate, AdminKeyRevocation } from "../trust/certificates.js";
import {
  certificateSchema,
  publicKeySchema,
  revocationSchema,
} from "../validation/certificate-schemas.js";

/** Where an admin key stands: registered and waiting for the root, certified, or revoked. */
export type AdminKeyStatus = "pending" | "certified" | "revoked";

/** `POST /v1/admin-keys`: registers the caller's public key (pending until the root certifies it). */
export const adminKeyRegistrationSchema = z.object({
  publicKey: publicKeySchema,
  /** Which browser or machine holds the key, for the people approving it. */
  label: z.string().trim().min(1).max(100),
});

/** A parsed key registration. */
export type AdminKeyRegistration = z.infer<typeof adminKeyRegistrationSchema>;

/** `POST /v1/admin-keys/certificates`: a certificate the root signed (in the dashboard or a CLI). */
export const certificateSubmissionSchema = z.object({ certificate: certificateSchema });

/** `POST /v1/admin-keys/revocations`: a revocation the root signed. */
export const revocationSubmissionSchema = z.object({ revocation: revocationSchema });

/** One admin key as the relay lists it. */
export interface AdminKeyEntry {
  keyId: string;
  /** The admin who registered it (whose token did), and whom a certificate must name. */
  admin: string;
  /** The raw Ed25519 public key, base64url. */
  publicKey: string;
  label: string;
  /** When the relay registered it (epoch ms, the relay's clock). */
  registeredAt: number;
  status: AdminKeyStatus;
  /** The root's certificate, once certified (kept after a revocation). */
  certificate?: AdminKeyCertificate;
  /** The root's revocation, once revoked. */
  revocation?: AdminKeyRevocation;
}

/** `GET /v1/admin-keys`. */
export interface AdminKeysResponse {
  /** The fleet's root public key and fingerprint; `null` until `outpost-relay root init`. */
  root: { publicKey: string; fleet: string } | null;
  /** `automerge:` URL of the TrustDoc, once the relay has made it. */
  trustDocUrl: string | null;
  keys: AdminKeyEntry[];
}

/** The answer to each POST that registers, certifies or revokes a key: the key as it now stands. */
export interface AdminKeyResponse {
  key: AdminKeyEntry;
}
