import {
  type AdminKeyCertificate,
  type AdminKeyList,
  type AdminKeyRevocation,
  messageOf,
  parseAdminKeyList,
  type RegisterAdminKeyRequest,
  relayErrorText,
} from "@outpost/shared-model";
import type { Session } from "../session/session.js";

/** The relay answered with a refusal; the message is the relay's own words. */
export class RelayRefused extends Error {
  override name = "RelayRefused";

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The relay could not be asked (offline, down, or an answer that was not what it should be). */
export class RelayUnreachable extends Error {
  override name = "RelayUnreachable";
}

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
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): AdminKeysClient {
  const call = async (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
    const url = `${session.relayUrl}${path}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${session.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (failure) {
      throw new RelayUnreachable(`cannot reach the relay at ${session.relayUrl}`, {
        cause: failure,
      });
    }
    const answer: unknown = await response.json().catch(() => undefined);
    if (!response.ok)
      throw new RelayRefused(response.status, relayErrorText(answer, response.status));
    return answer;
  };

  return {
    async list() {
      const answer = await call("GET", "/v1/admin-keys");
      try {
        return parseAdminKeyList(answer);
      } catch (failure) {
        throw new RelayUnreachable(
          `the relay's answer to GET /v1/admin-keys is not a key list: ${messageOf(failure)}`,
        );
      }
    },
    register: async (request) => void (await call("POST", "/v1/admin-keys", request)),
    certify: async (certificate) =>
      void (await call("POST", "/v1/admin-keys/certificates", { certificate })),
    revoke: async (revocation) =>
      void (await call("POST", "/v1/admin-keys/revocations", { revocation })),
  };
}
