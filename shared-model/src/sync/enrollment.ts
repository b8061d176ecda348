/**
 * `POST /v1/enroll`: a device presents the fleet's enrollment secret and gets a device token.
 * Request and response shapes shared by the relay and the agent.
 */
import { z } from "zod";
import { isDeviceId } from "../ids/ids.js";

/**
 * What a device sends to enroll (JSON body): the fleet's shared enrollment secret (new device IDs
 * only; an ID the relay knows waits for an admin's approval) or a one-time enrollment token an
 * admin made for it. To collect an approved re-enrollment, the same request again with the
 * pending request's ID and nonce.
 */
export const enrollRequestSchema = z.object({
  enrollmentSecret: z.string().min(1).max(512).optional(),
  enrollmentToken: z.string().min(1).max(512).optional(),
  deviceId: z.string().refine(isDeviceId, {
    message: "expected a device ID: 1-64 of [A-Za-z0-9._-], starting with a letter or digit",
  }),
  hostname: z.string().min(1).max(255),
  deviceDocUrl: z.string().regex(/^automerge:[1-9A-HJ-NP-Za-km-z]+$/, {
    message: "expected an automerge: URL",
  }),
  pendingRequestId: z
    .string()
    .regex(/^[0-9a-f]{12}$/, { message: "expected the pending request's ID (12 hex digits)" })
    .optional(),
  pendingNonce: z.string().min(1).max(512).optional(),
});

/** A parsed enrollment request. */
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

/** What the relay answers on success (HTTP 200, JSON). */
export interface EnrollResponse {
  /** The device token: send it as `?token=` on the sync websocket. Shown once, stored hashed. */
  deviceToken: string;
  /** The relay's automerge-repo peer ID: only its stored-heads messages count as durable. */
  relayPeerId: string;
  /** True when this device ID was enrolled before and its previous token is now revoked. */
  rotated: boolean;
  /**
   * What the agent pins to trust admins' signatures (docs/ARCHITECTURE.md, "Trust"). Absent only
   * from a relay older than signed commands: such an agent runs no command until it has one.
   */
  trust?: FleetTrust;
}

/**
 * A fleet's trust anchor as the relay hands it out (enrollment answer, `/v1/session`): the root
 * public key, the fleet it names (its fingerprint, which an install command pins), and where the
 * TrustDoc is.
 */
export interface FleetTrust {
  /** The root's raw Ed25519 public key, base64url. */
  rootPublicKey: string;
  /** `SHA256:…`, the root key's fingerprint. */
  fleet: string;
  /** `automerge:` URL of the fleet's TrustDoc. */
  trustDocUrl: string;
}

/**
 * What the relay answers (HTTP 202) when a device ID it knows enrolls with the shared secret, and
 * to every later attempt until an admin decides: the request waits for an admin's approval
 * (`outpost-relay device approve REQUEST_ID`). Send the same request again with `pendingRequestId`
 * and `pendingNonce` to learn the decision; once approved, that answer carries the device token.
 */
export interface EnrollPendingResponse {
  status: "pending";
  requestId: string;
  /** Only in the answer that made the request: the proof of being its requester, kept hashed. */
  nonce?: string;
  /** What the device waits for, in words for its log. */
  message: string;
}

/** Error body of every non-2xx HTTP answer from the relay. */
export interface RelayErrorBody {
  error: string;
  /** Field paths and what was wrong, for a 400. */
  problems?: { path: string; message: string }[];
}
