import type { DeviceId } from "../ids/ids.js";
import type { AdminKeyCertificate } from "./certificates.js";
import { signEd25519 } from "./keys.js";
import { formatSignature } from "./signature.js";
import { itemMessage, type SignedItem } from "./signed-items.js";

/**
 * An admin's signing key with its certificate from the fleet's root: in the dashboard a
 * non-extractable WebCrypto key in IndexedDB, in tests a key made in Node.
 */
export interface AdminSigner {
  /** The fleet the certificate is from (its root key's fingerprint). */
  fleet: string;
  /** The root's certificate of this key; its `admin` is who the key signs as. */
  certificate: AdminKeyCertificate;
  /** Signs the bytes of a signed message. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** An {@link AdminSigner} over a WebCrypto private key. */
export function webCryptoSigner(
  privateKey: CryptoKey,
  certificate: AdminKeyCertificate,
  fleet: string,
): AdminSigner {
  return { fleet, certificate, sign: (message) => signEd25519(privateKey, message) };
}

/** The principal an admin key signs as: `admin:<name>`. */
export function signerPrincipal(signer: AdminSigner): string {
  return `admin:${signer.certificate.admin}`;
}

/**
 * Signs `item` for `device`: the signature to store with it (`<keyId>.<signature>`).
 *
 * @throws Error when the item names another author than the key's admin (it would never verify)
 */
export async function signItem(
  signer: AdminSigner,
  device: DeviceId,
  item: SignedItem,
): Promise<string> {
  if (item.claimedBy !== signerPrincipal(signer)) {
    throw new Error(
      `cannot sign for ${item.claimedBy} with ${signerPrincipal(signer)}'s key: an item is signed by the admin it names`,
    );
  }
  const bytes = await signer.sign(itemMessage(item, { fleet: signer.fleet, device }));
  return formatSignature(signer.certificate.keyId, bytes);
}
