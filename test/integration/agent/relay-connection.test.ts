/**
 * The agent's relay connection against a real relay on loopback: it syncs, survives the relay
 * going away and coming back, and never throws on a refused token or an unknown host, logging
 * each state once however often it retries.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DocHandle, PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { type ConnectionState, enrollDevice, RelayConnection } from "@outpost/agent";
import { Relay, recordRootKey } from "@outpost/relay";
import type { DeviceDoc } from "@outpost/shared-model";
import {
  createDeviceDoc,
  generateRootKey,
  isStoredHeadsMessage,
  parseDeviceId,
  peerIdFor,
  silentLogger,
} from "@outpost/shared-model";
import { cleanupAfterEach, freePort, recordingLogger } from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";

const FAST = { baseMs: 20, capMs: 100, outageShare: 0.25, random: () => 0.99 };

const cleanup = cleanupAfterEach();

async function startRelay(dataDirectory: string, port: number): Promise<Relay> {
  const relay = await Relay.start({ dataDirectory, host: "127.0.0.1", port, logger: silentLogger });
  cleanup.defer(() => relay.stop());
  return relay;
}

async function enroll(relay: Relay, deviceId: string, deviceDocUrl: string): Promise<string> {
  const answer = await enrollDevice(relay.url, {
    enrollmentSecret: await relay.principals.enrollmentSecret(),
    deviceId: parseDeviceId(deviceId),
    hostname: `${deviceId}.example`,
    deviceDocUrl,
  });
  return answer.deviceToken;
}

/** Resolves once `connection` has entered state `kind` `times` times (counting the current one). */
function until(
  connection: RelayConnection,
  kind: ConnectionState["kind"],
  times = 1,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = connection.state.kind === kind ? 1 : 0;
    if (seen >= times) return resolve();
    const stop = connection.onStateChange((state) => {
      if (state.kind !== kind || ++seen < times) return;
      stop();
      resolve();
    });
  });
}

/** Resolves once the relay durably acknowledged `handle`'s current heads. */
function acknowledged(handle: DocHandle<unknown>): Promise<void> {
  const heads = handle.heads();
  return new Promise((resolve) => {
    const listener = ({ message }: { message: unknown }) => {
      if (!isStoredHeadsMessage(message) || !heads.every((h) => message.heads.includes(h))) return;
      handle.off("ephemeral-message", listener);
      resolve();
    };
    handle.on("ephemeral-message", listener);
  });
}

function deviceRepo(deviceId: string, connection?: RelayConnection): Repo {
  const repo = new Repo({
    network: connection ? [connection] : [],
    peerId: peerIdFor({ kind: "device", deviceId: parseDeviceId(deviceId) }, "agent") as PeerId,
    shareConfig: { announce: async () => true, access: async () => true },
  });
  cleanup.defer(() => repo.shutdown());
  return repo;
}

describe("RelayConnection", () => {
  it("works offline, connects when the relay comes up, and reconnects after it restarts", {
    timeout: 60_000,
  }, async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), "outpost-agent-connection-"));
    cleanup.defer(() => rm(dataDirectory, { recursive: true, force: true }));
    const port = await freePort();
    // A relay enrolls devices once its fleet has a root key (`outpost-relay root init`).
    await recordRootKey(dataDirectory, (await generateRootKey()).publicKey);

    // Enrolled once (a first relay run), then the relay is down when the agent starts.
    let relay = await startRelay(dataDirectory, port);
    const enrolling = deviceRepo("laptop-1");
    const created = enrolling.create<DeviceDoc>(createDeviceDoc(parseDeviceId("laptop-1")));
    const token = await enroll(relay, "laptop-1", created.url);
    const bytes = await enrolling.export(created.documentId);
    if (bytes === undefined) throw new Error("nothing to export");
    const syncUrl = relay.syncUrl;
    await relay.stop();

    const { logger, at } = recordingLogger();
    const connection = new RelayConnection(`${syncUrl}?token=${token}`, {
      logger,
      backoff: FAST,
    });
    const repo = deviceRepo("laptop-1", connection);
    const device = repo.import<DeviceDoc>(bytes, { docId: created.documentId });
    device.doneLoading();
    await connection.whenReady(); // offline is ready too: the agent goes on working
    await until(connection, "offline");
    device.change((doc) => {
      doc.asset.location = "field office";
    });

    relay = await startRelay(dataDirectory, port);
    await until(connection, "connected");
    await acknowledged(device);

    await relay.stop();
    await until(connection, "offline");
    relay = await startRelay(dataDirectory, port);
    await until(connection, "connected");
    device.change((doc) => {
      doc.asset.location = "back at base";
    });
    await acknowledged(device);

    // Each change of state once: offline, connected, offline, connected. While the relay
    // restarts, a retry may find it not yet listening: a new reason, said once more.
    const refused = "relay unreachable: connection refused (is the relay running?); retrying";
    const warnings = at(40).map((line) => line.msg);
    expect(warnings.slice(0, 2)).toEqual([
      refused,
      "relay unreachable: connection closed (1001: relay shutting down); retrying",
    ]);
    expect(warnings.slice(2)).toEqual(warnings.length > 2 ? [refused] : []);
    expect(at(30).filter((line) => line.msg === "connected to the relay")).toHaveLength(2);
  });

  it("keeps retrying a refused token without throwing, and says so once", {
    timeout: 60_000,
  }, async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), "outpost-agent-connection-"));
    cleanup.defer(() => rm(dataDirectory, { recursive: true, force: true }));
    const relay = await startRelay(dataDirectory, 0);
    const { logger, at } = recordingLogger();
    const connection = new RelayConnection(`${relay.syncUrl}?token=opd_revoked`, {
      logger,
      backoff: FAST,
    });
    deviceRepo("laptop-2", connection);
    await until(connection, "unauthorized", 5);
    expect(connection.state).toMatchObject({
      kind: "unauthorized",
      reason: "the relay refused the token (HTTP 401: invalid or revoked token)",
    });
    expect(at(50).map((line) => line.msg)).toEqual([
      "the relay refused the token (HTTP 401: invalid or revoked token); retrying with backoff",
    ]);
  });

  // The system's resolver answers: at once here, up to 5 s an attempt where it asks upstream.
  it("survives a host name that does not resolve", { timeout: 60_000 }, async () => {
    const { logger, at } = recordingLogger();
    const connection = new RelayConnection("ws://outpost-relay.invalid:8080/sync?token=x", {
      logger,
      backoff: FAST,
    });
    deviceRepo("laptop-3", connection);
    await until(connection, "offline", 3);
    expect(connection.state.kind).toBe("offline");
    expect(at(40)).toHaveLength(1);
  });
});
