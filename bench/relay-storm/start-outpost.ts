import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import {
  handleProcessFailures,
  Relay,
  type RelayLimits,
  recordRootKey,
  TrustRefused,
} from "@outpost/relay";
import { generateRootKey, makeLogger } from "@outpost/shared-model";
import type { StartedServer } from "./server-process.js";

/** The `@automerge/automerge-repo` our relay runs on, as the relay package resolves it. */
export function automergeRepoEntry(): string {
  const relayEntry = createRequire(import.meta.url).resolve("@outpost/relay");
  return createRequire(relayEntry).resolve("@automerge/automerge-repo");
}

/**
 * Starts our relay as an operator would (as `relay serve` does), on loopback with an ephemeral port, plus an admin for
 * the checker client. The enrollment rate limit is raised (every agent of the benchmark enrolls
 * from 127.0.0.1, and enrollment is not what is measured); other `limits` only on request.
 */
export async function start(
  dataDirectory: string,
  _meter: unknown,
  limits: Partial<RelayLimits>,
): Promise<StartedServer> {
  // As deployed: the relay's default level (info, or OUTPOST_LOG_LEVEL), to a file, and the
  // process-level handling `relay serve` installs.
  const logger = makeLogger("relay");
  handleProcessFailures(logger);
  // As `outpost-relay root init` does: agents enroll only with a fleet that has a root key. A
  // restart on the same folder (after the kill) finds the first start's root and keeps it.
  await recordRootKey(dataDirectory, (await generateRootKey()).publicKey, logger).catch(
    (error: unknown) => {
      if (!(error instanceof TrustRefused)) throw error;
    },
  );
  const relay = await Relay.start({
    dataDirectory,
    host: "127.0.0.1",
    port: 0,
    logger,
    limits: { enrollmentsPerMinute: 1_000_000_000, newDevicesPerMinute: 1_000_000_000, ...limits },
  });
  const adminName = `checker-${randomBytes(4).toString("hex")}`;
  const adminToken = await relay.principals.addAdmin(adminName);
  return {
    address: {
      url: relay.url,
      syncUrl: relay.syncUrl,
      relayPeerId: relay.peerId,
      enrollmentSecret: await relay.principals.enrollmentSecret(),
      admin: { name: adminName, token: adminToken },
    },
    frameBytesReceived: async () => (await relay.metrics.receivedBytes.get()).values[0]?.value ?? 0,
  };
}
