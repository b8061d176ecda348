import type { AdminKeyListing } from "@outpost/shared-model";
import { messageOf, type RootSigner } from "@outpost/shared-model";
import type { AdminKeyStore } from "./admin-key-store.js";

/**
 * Certifies the keys the named admins register, those pending now and each as it comes, for as
 * long as the process runs. Only for where the fleet's recovery key is at hand in the process
 * that runs the relay: `npm start` (a demo on one machine) and tests. `outpost-relay serve` never
 * does this: a real relay never holds the root's private key.
 *
 * @returns a function that stops approving
 */
export function approveKeysAsRegistered(
  keys: AdminKeyStore,
  root: RootSigner,
  options: {
    admins: readonly string[];
    onApproved?: (key: AdminKeyListing) => void;
    onError?: (key: AdminKeyListing, message: string) => void;
  },
): () => void {
  const approve = (key: AdminKeyListing) => {
    if (key.status !== "pending" || !options.admins.includes(key.admin)) return;
    keys.approve(key.keyId, root).then(
      ({ key: approved, created }) => {
        if (created) options.onApproved?.(approved);
      },
      (error: unknown) => options.onError?.(key, messageOf(error)),
    );
  };
  keys.on("registered", approve);
  for (const key of keys.keys()) approve(key);
  return () => keys.off("registered", approve);
}
