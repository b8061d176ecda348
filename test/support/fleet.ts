import type { Repo } from "@automerge/automerge-repo";
import type { Agent, AgentOptions } from "@outpost/agent";
import { startTestAgent } from "@outpost/agent/testing";
import { approveKeysAsRegistered, Relay, type RelayOptions, recordRootKey } from "@outpost/relay";
import {
  type AdminKeyRevocation,
  generateRootKey,
  issueRevocation,
  makeLogger,
  type NewRootKey,
  openRootKey,
  silentLogger,
} from "@outpost/shared-model";
import { type Cleanup, freePort } from "@outpost/shared-model/testing";
import { adminReplica } from "./admin-replica.js";

/**
 * A relay for a test's fleet: a data folder and a loopback port of its own, admins and the
 * enrollment secret, the relay stopped and started again on the same port and folder as the test
 * needs (a relay that is down is how a test puts agents and admins offline).
 */
export interface TestFleet {
  relayData: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  relayUrl: string;
  enrollmentSecret: string;
  /** Tokens by admin name, in the order the admins were named. */
  adminTokens: Readonly<Record<string, string>>;
  /** The first admin's token (`alice` unless `admins` said otherwise). */
  adminToken: string;
  /**
   * The fleet's root key, recorded before the relay first started: its recovery key certifies
   * admin keys (`issueCertificate(await openRootKey(fleet.root.recoveryKey), …)`).
   */
  root: NewRootKey;
  /** The relay last started, unless {@link stopRelay} stopped it. */
  relay(): Relay | undefined;
  /** Starts a relay on the fleet's port and folder; the one before must have stopped. */
  startRelay(): Promise<Relay>;
  /** Stops the relay last started; its data stays for the next start. */
  stopRelay(): Promise<void>;
  /** An admin's replica over the websocket, as the dashboard's ({@link adminReplica}). */
  adminReplica(name?: string): Repo;
  /**
   * An in-process agent of this fleet (`startTestAgent`'s defaults, the fleet's relay and
   * enrollment secret) in `dataDirectory`, stopped at clean-up.
   */
  startAgent(options: Pick<AgentOptions, "dataDirectory"> & Partial<AgentOptions>): Promise<Agent>;
  /**
   * Revokes an admin key with the fleet's root, as `outpost-relay admin key revoke` does: the
   * running relay records it and writes it into the TrustDoc, which agents follow.
   */
  revokeAdminKey(keyId: string, reason?: string): Promise<AdminKeyRevocation>;
}

/** What a test fleet starts with. */
export interface TestFleetOptions {
  /** Admins to create; the first is {@link TestFleet.adminToken}. Default `["alice"]`. */
  admins?: readonly string[];
  /** Leave the relay stopped once the admins and the secret exist. Default false. */
  stopped?: boolean;
  /** The built dashboard the relay serves, for browser tests. */
  dashboardDirectory?: string;
  /** Other relay settings (limits, say). */
  relay?: Partial<Omit<RelayOptions, "dataDirectory" | "host" | "port">>;
  /**
   * Admins whose browsers' signing keys each relay start certifies as they are registered, as
   * `npm start` does for its admin (for browser tests about something else than approving keys).
   * Default none: a key waits for approval, as on a real relay.
   */
  approveKeysOf?: readonly string[];
}

/**
 * Starts a test fleet's relay on loopback. Everything it makes is released by `cleanup`: the relay
 * is stopped, then its folder removed. `RELAY_TEST_LOG=1` prints the relay's debug log, for
 * finding out why a test failed.
 */
export async function startFleet(
  cleanup: Cleanup,
  options: TestFleetOptions = {},
): Promise<TestFleet> {
  const relayData = await cleanup.tempFolder("relay");
  const port = await freePort();
  const logger = process.env.RELAY_TEST_LOG ? makeLogger("test-relay", "debug") : silentLogger;
  // As `outpost-relay root init` would: agents enroll only with a fleet that has a root key.
  const root = await generateRootKey();
  await recordRootKey(relayData, root.publicKey);
  let latest: Relay | undefined;
  const startRelay = async (): Promise<Relay> => {
    const relay = await Relay.start({
      logger,
      ...(options.dashboardDirectory === undefined
        ? {}
        : { dashboardDirectory: options.dashboardDirectory }),
      ...options.relay,
      dataDirectory: relayData,
      host: "127.0.0.1",
      port,
    });
    latest = relay;
    // Stopping twice is harmless: a test may stop the relay itself (`relay.stop()`).
    cleanup.defer(() => relay.stop());
    if (options.approveKeysOf !== undefined) {
      const stopApproving = approveKeysAsRegistered(
        relay.principals.adminKeys,
        await openRootKey(root.recoveryKey),
        {
          admins: options.approveKeysOf,
          onError: (key, message) => {
            throw new Error(`approving ${key.admin}'s key ${key.keyId} failed: ${message}`);
          },
        },
      );
      cleanup.defer(stopApproving);
    }
    return relay;
  };
  const stopRelay = async (): Promise<void> => {
    const relay = latest;
    latest = undefined;
    await relay?.stop();
  };

  const first = await startRelay();
  const adminTokens: Record<string, string> = {};
  for (const name of options.admins ?? ["alice"]) {
    adminTokens[name] = await first.principals.addAdmin(name);
  }
  const enrollmentSecret = await first.principals.enrollmentSecret();
  if (options.stopped) await stopRelay();
  const [firstAdmin, adminToken] = Object.entries(adminTokens)[0] ?? [];
  if (firstAdmin === undefined || adminToken === undefined) {
    throw new Error("a test fleet needs at least one admin");
  }
  return {
    relayData,
    port,
    relayUrl: `http://127.0.0.1:${port}`,
    enrollmentSecret,
    adminTokens,
    adminToken,
    root,
    relay: () => latest,
    startRelay,
    stopRelay,
    adminReplica(name = firstAdmin) {
      const token = adminTokens[name];
      if (token === undefined) throw new Error(`the test fleet has no admin named ${name}`);
      return adminReplica(port, token, cleanup, name);
    },
    async revokeAdminKey(keyId, reason) {
      const relay = latest;
      if (relay === undefined) throw new Error("the test fleet's relay is not running");
      const revocation = await issueRevocation(await openRootKey(root.recoveryKey), {
        keyId,
        revokedAt: Date.now(),
        ...(reason === undefined ? {} : { reason }),
      });
      await relay.principals.adminKeys.revoke(revocation);
      return revocation;
    },
    async startAgent(agentOptions) {
      const agent = await startTestAgent({
        relayUrl: `http://127.0.0.1:${port}`,
        enrollmentSecret,
        ...agentOptions,
      });
      cleanup.defer(() => agent.stop());
      return agent;
    },
  };
}
