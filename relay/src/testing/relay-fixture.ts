/**
 * Test support: a real relay on 127.0.0.1 with a fresh data folder, and real automerge-repo
 * clients that connect to it over real websockets.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import type { NewRootKey, Principal } from "@outpost/shared-model";
import { makeLogger, peerIdFor, silentLogger } from "@outpost/shared-model";
import { Relay } from "../relay.js";
import type { RelayOptions } from "../relay-options.js";
import { recordTestRoot } from "./test-root.js";

/** A started relay, its data folder, an admin token, and a way to stop and clean up. */
export interface TestRelay {
  relay: Relay;
  dataDirectory: string;
  adminToken: string;
  /**
   * The fleet's root key (recovery key included, to certify admin keys with), recorded before
   * the relay started; `undefined` when the test asked for none, or restarted a data folder
   * that already had one and did not pass it.
   */
  root: NewRootKey | undefined;
  /** Stops the relay and its clients; removes the data folder unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
  /** A real client repo connected as `principal` with `token`. */
  connect(
    principal: Principal,
    token: string,
    options?: { storage?: Repo["storageSubsystem"] },
  ): Repo;
}

/**
 * Starts a relay on an ephemeral loopback port, with an admin named `alice` and a root key (a new
 * one unless `root` names it; none with `root: false`).
 */
export async function startTestRelay(
  options: Partial<Omit<RelayOptions, "host" | "port">> & {
    dataDirectory?: string;
    root?: NewRootKey | false;
  } = {},
): Promise<TestRelay> {
  const { root: wantedRoot, ...relayOptions } = options;
  const dataDirectory = options.dataDirectory ?? (await mkdtemp(join(tmpdir(), "outpost-relay-")));
  const root = await recordTestRoot(dataDirectory, wantedRoot);
  // RELAY_TEST_LOG=1 prints the relay's debug log, for finding out why a test failed.
  const logger = process.env.RELAY_TEST_LOG ? makeLogger("test-relay", "debug") : silentLogger;
  const relay = await Relay.start({
    logger,
    ...relayOptions,
    dataDirectory,
    host: "127.0.0.1",
    port: 0,
  });
  const adminToken = relay.principals.listAdmins().some((admin) => admin.name === "alice")
    ? ""
    : await relay.principals.addAdmin("alice");
  const clients: Repo[] = [];
  let session = 0;
  return {
    relay,
    dataDirectory,
    adminToken,
    root,
    connect(principal, token) {
      session += 1;
      const repo = new Repo({
        network: [
          new WebSocketClientAdapter(`${relay.syncUrl}?token=${encodeURIComponent(token)}`, 200),
        ],
        peerId: peerIdFor(principal, `s${session}`) as PeerId,
        shareConfig: { announce: async () => true, access: async () => true },
      });
      clients.push(repo);
      return repo;
    },
    async close({ keepData = false } = {}) {
      await Promise.allSettled(clients.map((client) => client.shutdown()));
      await relay.stop();
      if (!keepData) await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
