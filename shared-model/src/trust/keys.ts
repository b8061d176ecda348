import { fromBase64Url, toBase64Url } from "./encoding.js";

/** WebCrypto's Ed25519 (Node 20 and every current browser). */
export const ED25519 = { name: "Ed25519" } as const;

/** Characters of a key ID: 22 base64url characters, the first 132 bits of the key's SHA-256. */
const KEY_ID_LENGTH = 22;

function subtle(): SubtleCrypto {
  const implementation = globalThis.crypto?.subtle;
  if (implementation === undefined) {
    throw new Error("WebCrypto is not available here (crypto.subtle); signatures need it");
  }
  return implementation;
}

/** SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest("SHA-256", bytes as BufferSource));
}

/**
 * A public key's short name in documents: the first 22 base64url characters of the SHA-256 of
 * its raw 32 bytes (132 bits; a signature names the key it was made with by this ID).
 */
export async function keyIdOf(publicKey: string): Promise<string> {
  return toBase64Url(await sha256(fromBase64Url(publicKey))).slice(0, KEY_ID_LENGTH);
}

/**
 * A public key's fingerprint for people and configs, as OpenSSH writes them: `SHA256:` and the
 * whole hash in base64url. A fleet is named by its root key's fingerprint.
 */
export async function fingerprintOf(publicKey: string): Promise<string> {
  return `SHA256:${toBase64Url(await sha256(fromBase64Url(publicKey)))}`;
}

/** True when `text` is a raw Ed25519 public key in base64url (32 bytes). */
export function isPublicKeyText(text: unknown): text is string {
  if (typeof text !== "string" || text.length !== 43) return false;
  try {
    return fromBase64Url(text).length === 32;
  } catch {
    return false;
  }
}

/** Imports a raw Ed25519 public key written in base64url, for verifying. */
export function importPublicKey(publicKey: string): Promise<CryptoKey> {
  return subtle().importKey("raw", fromBase64Url(publicKey) as BufferSource, ED25519, true, [
    "verify",
  ]);
}

/** A public key's raw bytes in base64url, as documents hold it. */
export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().exportKey("raw", key)));
}

/** Verifies an Ed25519 signature; false (never a throw) for a malformed key or signature. */
export async function verifyEd25519(
  publicKey: CryptoKey,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    return await subtle().verify(
      ED25519,
      publicKey,
      signature as BufferSource,
      message as BufferSource,
    );
  } catch {
    return false;
  }
}

/** Signs `message` with an Ed25519 private key. */
export async function signEd25519(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign(ED25519, privateKey, message as BufferSource));
}

/**
 * A new Ed25519 key pair whose private key can sign but never be exported (the dashboard keeps it
 * in IndexedDB: script on the page may use it while the page runs, never take it away).
 */
export function generateSigningKey(): Promise<CryptoKeyPair> {
  return subtle().generateKey(ED25519, false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

/** Imports a PKCS #8 Ed25519 private key (a root key), not exportable again. */
export function importPrivateKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("pkcs8", pkcs8 as BufferSource, ED25519, false, ["sign"]);
}
