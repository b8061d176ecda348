/**
 * Test support: the relay's admin-key registry as docs/ARCHITECTURE.md ("Relay HTTP for keys")
 * describes it, in memory: keys registered pending (idempotently), certificates and revocations
 * accepted only when the fleet's root signed them, refusals worded as a relay words them. The
 * client test serves it over HTTP on loopback; component tests call it through
 * {@link registryClient}. Never imported by product code.
 */
import {
  type AdminKeyCertificate,
  type AdminKeyList,
  type AdminKeyListing,
  type AdminKeyRevocation,
  isPublicKeyText,
  keyIdOf,
  type RegisterAdminKeyRequest,
  TrustVerifier,
} from "@outpost/shared-model";
import type { TestRoot } from "@outpost/shared-model/testing";
import type { AdminKeysClient } from "../keys/admin-keys-client.js";
import { RelayRefused } from "../sync/relay-admin-call.js";

/** A refusal: the HTTP status and the relay's words. */
export class RegistryRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The relay's key registry for one fleet, in memory. */
export class KeyRegistry {
  readonly #root: TestRoot;
  readonly #keys = new Map<string, AdminKeyListing>();
  readonly #verifier: Promise<TrustVerifier>;

  constructor(root: TestRoot) {
    this.#root = root;
    this.#verifier = TrustVerifier.create(root.publicKey);
  }

  list(): AdminKeyList {
    return {
      rootPublicKey: this.#root.publicKey,
      fleet: this.#root.fleet,
      keys: [...this.#keys.values()].map((key) => structuredClone(key)),
    };
  }

  /** `POST /v1/admin-keys` by `admin`'s token. */
  async register(
    admin: string,
    request: Partial<RegisterAdminKeyRequest>,
  ): Promise<AdminKeyListing> {
    if (!isPublicKeyText(request.publicKey)) {
      throw new RegistryRefusal(
        400,
        "publicKey: expected an Ed25519 public key (43 base64url characters)",
      );
    }
    const keyId = await keyIdOf(request.publicKey);
    const known = this.#keys.get(keyId);
    if (known !== undefined) {
      if (known.admin !== admin)
        throw new RegistryRefusal(409, `key ${keyId} is registered to another admin`);
      return known;
    }
    const key: AdminKeyListing = {
      keyId,
      admin,
      publicKey: request.publicKey,
      label: String(request.label ?? "").slice(0, 200),
      status: "pending",
      registeredAt: Date.now(),
    };
    this.#keys.set(keyId, key);
    return key;
  }

  /** `POST /v1/admin-keys/certificates`. */
  async certify(certificate: AdminKeyCertificate): Promise<AdminKeyListing> {
    const key = this.#keys.get(certificate.keyId);
    if (key === undefined) throw new RegistryRefusal(404, `no registered key ${certificate.keyId}`);
    const problem = await (await this.#verifier).certificateProblem(certificate);
    if (problem !== undefined) throw new RegistryRefusal(400, `certificate refused: ${problem}`);
    if (certificate.publicKey !== key.publicKey || certificate.admin !== key.admin) {
      throw new RegistryRefusal(
        400,
        `certificate refused: it does not name key ${key.keyId} of ${key.admin}`,
      );
    }
    if (key.status === "revoked") throw new RegistryRefusal(409, `key ${key.keyId} is revoked`);
    key.status = "certified";
    key.certificate = certificate;
    return key;
  }

  /** `POST /v1/admin-keys/revocations`. */
  async revoke(revocation: AdminKeyRevocation): Promise<AdminKeyListing> {
    const key = this.#keys.get(revocation.keyId);
    if (key === undefined) throw new RegistryRefusal(404, `no registered key ${revocation.keyId}`);
    const verifier = await TrustVerifier.create(this.#root.publicKey);
    if ((await verifier.learnRevocations([revocation])).length === 0) {
      throw new RegistryRefusal(400, "revocation refused: it is not signed by this fleet's root");
    }
    key.status = "revoked";
    key.revocation = revocation;
    return key;
  }
}

/** The registry as the signed-in `admin`'s client, refusals thrown as the HTTP client throws them. */
export function registryClient(registry: KeyRegistry, admin: string): AdminKeysClient {
  const refused = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (failure) {
      if (failure instanceof RegistryRefusal)
        throw new RelayRefused(failure.status, failure.message);
      throw failure;
    }
  };
  return {
    list: async () => registry.list(),
    register: (request) => refused(async () => void (await registry.register(admin, request))),
    certify: (certificate) => refused(async () => void (await registry.certify(certificate))),
    revoke: (revocation) => refused(async () => void (await registry.revoke(revocation))),
  };
}
