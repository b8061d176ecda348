import type { AdminSigner } from "../trust/admin-signer.js";
import { webCryptoSigner } from "../trust/admin-signer.js";
import { issueCertificate } from "../trust/certificates.js";
import { exportPublicKey, generateSigningKey, keyIdOf } from "../trust/keys.js";
import { generateRootKey, type NewRootKey, openRootKey, type RootKey } from "../trust/root-key.js";

/** A fleet's root key for tests: its recovery key, and opened for signing. */
export interface TestRoot extends NewRootKey {
  key: RootKey;
  /** A new admin key for `admin`, certified by this root, as a signer. */
  adminSigner(admin: string, issuedAt?: number): Promise<AdminSigner>;
}

/** A new root key, and a way to make certified admin signers with it. */
export async function testRoot(): Promise<TestRoot> {
  const generated = await generateRootKey();
  const key = await openRootKey(generated.recoveryKey);
  return {
    ...generated,
    key,
    adminSigner: (admin, issuedAt) => certifiedAdminSigner(key, admin, issuedAt),
  };
}

/** A new admin key for `admin`, certified by the root `key` (opened from its recovery key). */
export async function certifiedAdminSigner(
  key: RootKey,
  admin: string,
  issuedAt = Date.now(),
): Promise<AdminSigner> {
  const pair = await generateSigningKey();
  const publicKey = await exportPublicKey(pair.publicKey);
  const certificate = await issueCertificate(key, {
    admin,
    publicKey,
    keyId: await keyIdOf(publicKey),
    issuedAt,
  });
  return webCryptoSigner(pair.privateKey, certificate, key.fleet);
}
