import {
  ADMIN_KEY_LABEL_MAX,
  certificateSchema,
  publicKeySchema,
  revocationSchema,
} from "@outpost/shared-model";
import { z } from "zod";

/** `POST /v1/admin-keys` (a `RegisterAdminKeyRequest`): the caller's public key and its label. */
export const registrationBody = z.object({
  publicKey: publicKeySchema,
  label: z.string().trim().max(ADMIN_KEY_LABEL_MAX),
});

/** `POST /v1/admin-keys/certificates`: a certificate the root signed. */
export const certificateBody = z.object({ certificate: certificateSchema });

/** `POST /v1/admin-keys/revocations`: a revocation the root signed. */
export const revocationBody = z.object({ revocation: revocationSchema });
