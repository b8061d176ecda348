import { fromBase64Url, toBase64Url } from "./encoding.js";

/** A signature as documents hold it: the signing key's ID, a dot, the 64 bytes in base64url. */
export interface SignatureParts {
  keyId: string;
  bytes: Uint8Array;
}

const SIGNATURE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{86})$/;

/** `<keyId>.<signature>`: which key signed, and the Ed25519 signature. */
export function formatSignature(keyId: string, bytes: Uint8Array): string {
  return `${keyId}.${toBase64Url(bytes)}`;
}

/** The parts of a written signature, or `undefined` when it is not one. */
export function parseSignature(text: unknown): SignatureParts | undefined {
  if (typeof text !== "string") return undefined;
  const match = SIGNATURE.exec(text);
  if (match === null) return undefined;
  const bytes = fromBase64Url(match[2] as string);
  return bytes.length === 64 ? { keyId: match[1] as string, bytes } : undefined;
}
