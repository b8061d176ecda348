import type { RootSigner } from "./certificates.js";
import { fromBase64Url, NotBase64Url, toBase64Url, utf8 } from "./encoding.js";
import {
  ED25519,
  exportPublicKey,
  fingerprintOf,
  importPrivateKey,
  importPublicKey,
  keyIdOf,
  signEd25519,
  verifyEd25519,
} from "./keys.js";

/** How a recovery key starts: what it is, and the version of its format. */
export const RECOVERY_KEY_PREFIX = "outpost-root-v1";

/** A new root key: its public half, the fleet it names, and the recovery key (shown once). */
export interface NewRootKey {
  /** Raw Ed25519 public key, base64url: agents pin it at enrollment. */
  publicKey: string;
  /** The fleet: the public key's fingerprint, `SHA256:…`. */
  fleet: string;
  /**
   * `outpost-root-v1:<public key>:<PKCS #8 private key>`, both base64url: the one copy of the
   * private key, to keep offline. Whoever holds it can certify admin keys.
   */
  recoveryKey: string;
}

/** The root key opened from its recovery key: signs, and says which fleet it is. */
export interface RootKey extends RootSigner {
  publicKey: string;
}

/** Thrown for text that is not a recovery key, or whose two halves do not belong together. */
export class InvalidRecoveryKey extends Error {
  override name = "InvalidRecoveryKey";

  constructor(why: string, options?: ErrorOptions) {
    super(
      `not a usable recovery key (${why}); it starts with ${RECOVERY_KEY_PREFIX}: and was shown once when the first admin was added`,
      options,
    );
  }
}

/** Makes a fleet's root key (the relay's CLI does, at its first `admin add`). */
export async function generateRootKey(): Promise<NewRootKey> {
  const pair = (await globalThis.crypto.subtle.generateKey(ED25519, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const publicKey = await exportPublicKey(pair.publicKey);
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return {
    publicKey,
    fleet: await fingerprintOf(publicKey),
    recoveryKey: `${RECOVERY_KEY_PREFIX}:${publicKey}:${toBase64Url(pkcs8)}`,
  };
}

/**
 * Opens a recovery key for signing, after checking that its private half signs for its public
 * half (a recovery key typed with one wrong character fails here, not at every agent).
 *
 * @throws InvalidRecoveryKey
 */
export async function openRootKey(recoveryKey: string): Promise<RootKey> {
  const parts = recoveryKey.trim().split(":");
  if (parts.length !== 3 || parts[0] !== RECOVERY_KEY_PREFIX) {
    throw new InvalidRecoveryKey(`expected ${RECOVERY_KEY_PREFIX}:<public key>:<private key>`);
  }
  const [, publicKey, privateText] = parts as [string, string, string];
  let privateKey: CryptoKey;
  let verifying: CryptoKey;
  try {
    privateKey = await importPrivateKey(fromBase64Url(privateText));
    verifying = await importPublicKey(publicKey);
  } catch (cause) {
    const why = cause instanceof NotBase64Url ? "not base64url" : "not an Ed25519 key pair";
    throw new InvalidRecoveryKey(why, { cause });
  }
  const probe = utf8(`${RECOVERY_KEY_PREFIX} probe`);
  if (!(await verifyEd25519(verifying, probe, await signEd25519(privateKey, probe)))) {
    throw new InvalidRecoveryKey("its private key does not match its public key");
  }
  return {
    publicKey,
    fleet: await fingerprintOf(publicKey),
    keyId: await keyIdOf(publicKey),
    sign: (message) => signEd25519(privateKey, message),
  };
}
