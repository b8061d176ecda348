import { type PeerId, Repo } from "@automerge/automerge-repo";
import { RelayConnection } from "@outpost/agent";
import { FAST_BACKOFF } from "@outpost/agent/testing";
import { peerIdFor, silentLogger } from "@outpost/shared-model";
import type { Cleanup } from "@outpost/shared-model/testing";

/**
 * Admin `name`'s replica connected to the relay on `port` with `token`, as the dashboard's is
 * (in memory; it keeps its documents while the relay is away and reconnects when it is back);
 * shut down by `cleanup`.
 */
export function adminReplica(port: number, token: string, cleanup: Cleanup, name = "alice"): Repo {
  const connection = new RelayConnection(`ws://127.0.0.1:${port}/sync?token=${token}`, {
    logger: silentLogger,
    backoff: FAST_BACKOFF,
  });
  const admin = new Repo({
    network: [connection],
    peerId: peerIdFor({ kind: "admin", name }, "dashboard") as PeerId,
  });
  return cleanup.add(admin, (repo) => repo.shutdown());
}
