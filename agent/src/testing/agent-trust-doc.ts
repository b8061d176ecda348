import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import {
  createTrustDoc,
  type FleetTrust,
  type NewRootKey,
  type TrustDoc,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { DOCUMENTS_FOLDER } from "../runtime/local-replica.js";
import { storageQuiet } from "../state/storage-quiet.js";

/**
 * The trust an in-process test agent is given (`AgentOptions.trust`) for the fleet root `root`,
 * with a TrustDoc written into the agent's own storage before its first start, so the device
 * shares it with the relay and owns it there; admins (who reach every document) write what the
 * root signed into it, and the agent learns it as it would from the relay's own TrustDoc. Call it
 * before the agent first starts in `dataDirectory`.
 *
 * Why not a TrustDoc an admin creates: a relay lets a device read only documents the device owns
 * (the relay's own TrustDoc will be readable to every device, but a test cannot name that one yet).
 */
export async function agentTrustFor(root: NewRootKey, dataDirectory: string): Promise<FleetTrust> {
  const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, DOCUMENTS_FOLDER));
  const repo = new Repo({ storage, network: [] });
  const trustDoc = repo.create<TrustDoc>(createTrustDoc(root.publicKey, root.fleet));
  await repo.flush();
  await repo.shutdown();
  await storageQuiet(storage);
  return { rootPublicKey: root.publicKey, fleet: root.fleet, trustDocUrl: trustDoc.url };
}
