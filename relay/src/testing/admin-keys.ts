/**
 * Test support: admin keys as a dashboard makes them, statements as the root signs them, and the
 * relay's `/v1/admin-keys` as a dashboard calls it.
 */
import type {
  AdminKeyCertificate,
  AdminKeyList,
  AdminKeyListing,
  AdminKeyRevocation,
  NewRootKey,
  RelayErrorBody,
} from "@outpost/shared-model";
import {
  exportPublicKey,
  generateSigningKey,
  issueCertificate,
  issueRevocation,
  keyIdOf,
  openRootKey,
} from "@outpost/shared-model";

/** A new admin key pair's public half and its key ID. */
export async function newAdminKey(): Promise<{ publicKey: string; keyId: string }> {
  const pair = await generateSigningKey();
  const publicKey = await exportPublicKey(pair.publicKey);
  return { publicKey, keyId: await keyIdOf(publicKey) };
}

/** `root`'s certificate of `publicKey` as `admin`'s key. */
export async function certificateFor(
  root: Pick<NewRootKey, "recoveryKey">,
  admin: string,
  publicKey: string,
): Promise<AdminKeyCertificate> {
  const key = await openRootKey(root.recoveryKey);
  return issueCertificate(key, {
    admin,
    publicKey,
    keyId: await keyIdOf(publicKey),
    issuedAt: Date.now(),
  });
}

/** `root`'s revocation of `keyId`. */
export async function revocationFor(
  root: Pick<NewRootKey, "recoveryKey">,
  keyId: string,
  reason?: string,
): Promise<AdminKeyRevocation> {
  const key = await openRootKey(root.recoveryKey);
  return issueRevocation(key, {
    keyId,
    revokedAt: Date.now(),
    ...(reason === undefined ? {} : { reason }),
  });
}

/** The answer to each POST: the key as it now stands. */
export interface KeyAnswer {
  key: AdminKeyListing;
}

/** The answer to a revocation: the key, or for a key never registered, the revocation. */
export interface RevocationAnswer {
  key?: AdminKeyListing;
  revocation?: AdminKeyRevocation;
}

/** A relay's answer: its status and parsed body. */
export interface ApiAnswer<T> {
  status: number;
  body: T & Partial<RelayErrorBody>;
}

/** `/v1/admin-keys` of one relay, called with one token. */
export interface AdminKeysApi {
  list(): Promise<ApiAnswer<AdminKeyList>>;
  register(publicKey: string, label?: string): Promise<ApiAnswer<KeyAnswer>>;
  certify(certificate: unknown): Promise<ApiAnswer<KeyAnswer>>;
  /** The key as it stands, or the revocation alone for a key never registered there. */
  revoke(revocation: unknown): Promise<ApiAnswer<RevocationAnswer>>;
  /** A raw POST, for malformed bodies. */
  post(path: string, body: unknown): Promise<ApiAnswer<object>>;
}

/** `/v1/admin-keys` of the relay at `relayUrl`, called with `token` as a dashboard does. */
export function adminKeysApi(relayUrl: string, token: string): AdminKeysApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const response = await fetch(`${relayUrl}/v1/admin-keys${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T & RelayErrorBody };
  };
  return {
    list: () => call<AdminKeyList>("GET", ""),
    register: (publicKey: string, label = "test browser") =>
      call<KeyAnswer>("POST", "", { publicKey, label }),
    certify: (certificate: unknown) =>
      call<KeyAnswer>("POST", "/certificates", {
        certificate,
      }),
    revoke: (revocation: unknown) =>
      call<RevocationAnswer>("POST", "/revocations", {
        revocation,
      }),
    post: (path: string, body: unknown) => call<object>("POST", path, body),
  };
}
