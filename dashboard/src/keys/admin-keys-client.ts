import {
  type AdminKeyCertificate,
  type AdminKeyList,
  type AdminKeyRevocation,
  parseAdminKeyList,
  type RegisterAdminKeyRequest,
} from "@outpost/shared-model";
import type { Session } from "../session/session.js";
import { makeRelayAdminCall, readAnswer } from "../sync/relay-admin-call.js";

/**
 * The relay's admin-key routes (docs/ARCHITECTURE.md, "Trust", "Relay HTTP for keys"), as the
 * signed-in admin. Pages and the signing key take it as a dependency, so their tests give one
 * over a real relay or one of their own.
 */
export interface AdminKeysClient {
  /** The fleet's root and every admin key with its status. */
  list(): Promise<AdminKeyList>;
  /** Registers this admin's public key (pending until the root certifies it); idempotent. */
  register(request: RegisterAdminKeyRequest): Promise<void>;
  /** Hands the relay a certificate the root signed (in this page, with the recovery key). */
  certify(certificate: AdminKeyCertificate): Promise<void>;
  /** Hands the relay a revocation the root signed. */
  revoke(revocation: AdminKeyRevocation): Promise<void>;
}

/** An {@link AdminKeysClient} over HTTP with the session's admin token. */
export function makeAdminKeysClient(
  session: Pick<Session, "relayUrl" | "token">,
  fetchImpl?: typeof fetch,
): AdminKeysClient {
  const call = makeRelayAdminCall(session, fetchImpl);
  return {
    async list() {
      const answer = await call("GET", "/v1/admin-keys");
      return readAnswer("GET /v1/admin-keys", "a key list", () => parseAdminKeyList(answer));
    },
    register: async (request) => void (await call("POST", "/v1/admin-keys", request)),
    certify: async (certificate) =>
      void (await call("POST", "/v1/admin-keys/certificates", { certificate })),
    revoke: async (revocation) =>
      void (await call("POST", "/v1/admin-keys/revocations", { revocation })),
  };
}
