import { SignedAdmin } from "@outpost/agent/testing";
import { type NewRootKey, openRootKey, type RootKey } from "@outpost/shared-model";
import { certifiedAdminSigner } from "@outpost/shared-model/testing";

/**
 * Admin `name` with a new signing key certified by the fleet's root (an opened `RootKey`, or a
 * `NewRootKey` whose recovery key is opened here), writing into DeviceDocs as the dashboard does:
 * signed, with the key's certificate beside what it signs ({@link SignedAdmin}). `now` is the
 * admin's clock (the wall clock by default), `issuedAt` when the root certified the key.
 */
export async function certifiedAdmin(
  root: RootKey | NewRootKey,
  name: string,
  options: { now?: () => number; issuedAt?: number } = {},
): Promise<SignedAdmin> {
  const key = "sign" in root ? root : await openRootKey(root.recoveryKey);
  const signer = await certifiedAdminSigner(key, name, options.issuedAt);
  return new SignedAdmin(signer, options.now);
}
