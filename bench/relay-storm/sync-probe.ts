import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { peerIdFor } from "@outpost/shared-model";
import type { ServerAddress } from "./messages.js";

/**
 * A client repo for the checker and the readiness probe: our relay's admin when the server has
 * one (only admins reach every document), anyone for the reference.
 */
export function makeCheckerRepo(address: ServerAddress, session: string): Repo {
  const { admin } = address;
  return new Repo({
    network: [
      new WebSocketClientAdapter(
        admin ? `${address.syncUrl}?token=${encodeURIComponent(admin.token)}` : address.syncUrl,
        1_000,
      ),
    ],
    peerId: (admin
      ? peerIdFor({ kind: "admin", name: admin.name }, session)
      : `checker-${session}`) as PeerId,
    // automerge-repo sends a request only to peers it would announce the document to.
    shareConfig: { announce: async () => true, access: async () => true },
  });
}

/**
 * Waits until the server answers a sync handshake. The reference server listens before its
 * repo has wired up its websocket adapter (that waits for its storage ID to load), and a client
 * that joins in that gap is never answered; agents must not start a storm into it.
 */
export async function waitUntilSyncing(address: ServerAddress, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 1; performance.now() < deadline; attempt += 1) {
    const repo = makeCheckerRepo(address, `probe${attempt}`);
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2_000);
      repo.networkSubsystem.once("peer", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    await repo.shutdown();
    if (answered) return;
  }
  throw new Error(
    `the server at ${address.syncUrl} did not answer a sync handshake in ${timeoutMs / 1000} s`,
  );
}
