/** Byte encodings for keys and signatures, the same in Node and in the browser (no `Buffer`). */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Bytes as unpadded base64url (RFC 4648 §5), as keys and signatures are written in documents. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Thrown for text that is not unpadded base64url. */
export class NotBase64Url extends Error {
  override name = "NotBase64Url";

  constructor(readonly received: string) {
    super(`expected unpadded base64url, received ${JSON.stringify(received.slice(0, 40))}`);
  }
}

/**
 * The bytes of unpadded base64url text.
 *
 * @throws NotBase64Url for any other text (a padded or standard-alphabet value included)
 */
export function fromBase64Url(text: string): Uint8Array {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new NotBase64Url(text);
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
