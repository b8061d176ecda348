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
import { afterEach } from "vitest";
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
  /**
   * Stops the relay and its clients; removes the data folder unless `keepData`. Only the first
   * call acts; later ones wait for it.
   */
  close(options?: { keepData?: boolean }): Promise<void>;
  /** A real client repo connected as `principal` with `token`. */
  connect(
    principal: Principal,
    token: string,
    options?: { storage?: Repo["storageSubsystem"] },
  ): Repo;
}

/** What {@link startTestRelay} takes: relay options, a data folder to reuse, a root key or none. */
export type TestRelayOptions = Partial<Omit<RelayOptions, "host" | "port">> & {
  dataDirectory?: string;
  root?: NewRootKey | false;
};

/**
 * Starts a relay on an ephemeral loopback port, with an admin named `alice` and a root key (a new
 * one unless `root` names it; none with `root: false`).
 */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
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
  let closed: Promise<void> | undefined;
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
    close({ keepData = false } = {}) {
      closed ??= (async () => {
        await Promise.allSettled(clients.map((client) => client.shutdown()));
        await relay.stop();
        if (!keepData) await rm(dataDirectory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

/**
 * For a test file or `describe` block: a function that starts a test relay, every one of which
 * is closed (its folder removed) after each test.
 */
export function relayPerTest(): (options?: TestRelayOptions) => Promise<TestRelay> {
  const running = new Set<TestRelay>();
  afterEach(async () => {
    const started = [...running];
    running.clear();
    await Promise.all(started.map((fixture) => fixture.close()));
  });
  return async (options) => {
    const fixture = await startTestRelay(options);
    running.add(fixture);
    return fixture;
  };
}
