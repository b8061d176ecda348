import { mkdir } from "node:fs/promises";
import type { Logger } from "@outpost/shared-model";
import { silentLogger } from "@outpost/shared-model";
import type { FleetRoot } from "./admin-key-store.js";
import { PrincipalStore } from "./principal-store.js";

/**
 * Records `publicKey` as the fleet's root key in the relay data folder `dataDirectory`, as
 * `outpost-relay root init` does: for programs that make the root themselves (`npm start`, test
 * fleets, benchmarks). A relay running on the folder picks it up within a second. The same key
 * again is a no-op.
 *
 * @throws TrustRefused when the folder's fleet has another root key
 */
export async function recordRootKey(
  dataDirectory: string,
  publicKey: string,
  logger: Logger = silentLogger,
): Promise<FleetRoot> {
  await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
  const store = await PrincipalStore.open(dataDirectory, logger);
  try {
    return await store.adminKeys.setRoot(publicKey);
  } finally {
    store.close();
  }
}
