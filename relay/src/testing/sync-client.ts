/**
 * Test support: a real automerge-repo client of a relay reached by URL (in this process or a
 * child), whose connection a test can pause and resume, and which survives the relay dying.
 */
import type {
  DocHandle,
  PeerId,
  PeerMetadata,
  StorageAdapterInterface,
} from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import type { FromClientMessage } from "@automerge/automerge-repo-network-websocket";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import type { DeviceId, Principal } from "@outpost/shared-model";
import { parseDeviceId, peerIdFor } from "@outpost/shared-model";
import WebSocket from "ws";
import type { RelayProcessInfo } from "./relay-child.js";
import { enrollDeviceOverHttp } from "./relay-http.js";

/**
 * The stock client adapter, changed for tests that kill relays:
 * - {@link pause} closes the socket and keeps it closed (the stock retry timer would reconnect);
 *   {@link resume} connects again;
 * - a socket error is not rethrown: the stock `onError` throws anything but ECONNREFUSED out of
 *   the event handler, so a relay SIGKILLed with unread data (the client sees ECONNRESET) would
 *   take the test process down;
 * - a retry never abandons a socket that is still connecting (see {@link connect});
 * - a message sent while the socket is closing is dropped instead of throwing (sync resends it),
 *   and disconnecting an adapter that is not connected is a no-op, not an assertion failure.
 */
export class PausableClientAdapter extends WebSocketClientAdapter {
  #paused = false;
  #resumeRetry: NodeJS.Timeout | undefined;

  override onError = (): void => {
    // The socket closes next; onClose schedules the reconnection.
  };

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? this.peerMetadata ?? {};
    if (this.#paused) return;
    // The stock retry timer calls connect every retryInterval until a socket opens, and each call
    // drops the previous socket's listeners without closing it: a handshake slower than the
    // interval leaves an orphan connection open on the relay (429s follow), and the orphan's later
    // error event has no listener, so it is thrown. Wait for the socket under way instead.
    if (this.socket?.readyState === WebSocket.CONNECTING) return;
    super.connect(peerId, peerMetadata);
  }

  override send(message: FromClientMessage): void {
    if (this.socket !== undefined && this.socket.readyState !== WebSocket.OPEN) return;
    super.send(message);
  }

  override disconnect(): void {
    clearInterval(this.#resumeRetry);
    const socket = this.socket;
    if (socket === undefined || this.peerId === undefined) return; // never connected, or paused
    // Closing a socket that is still connecting emits an error; with the stock listener removed,
    // nothing would catch it.
    socket.addEventListener("error", () => {});
    super.disconnect();
  }

  /** Closes the connection and stays disconnected until {@link resume}. */
  pause(): void {
    this.#paused = true;
    this.disconnect();
  }

  /** Connects again after {@link pause}. */
  resume(): void {
    this.#paused = false;
    const peerId = this.peerId;
    if (peerId === undefined) return; // the Repo has not connected it yet; it will
    super.connect(peerId, this.peerMetadata);
    // After disconnect() the stock adapter keeps a stale retry-timer ID, so it would never retry
    // a first attempt that fails: retry here until a socket opens.
    clearInterval(this.#resumeRetry);
    this.#resumeRetry = setInterval(() => {
      const state = this.socket?.readyState;
      if (this.#paused || state === WebSocket.OPEN) clearInterval(this.#resumeRetry);
      else if (state === undefined || state === WebSocket.CLOSED) this.connect(peerId);
    }, this.retryInterval);
  }
}

/** A client repo and its connection. */
export interface SyncClient {
  repo: Repo;
  adapter: PausableClientAdapter;
}

/** A client repo, not yet connected: as an agent is before it enrolls. */
export function createClientRepo(options: {
  principal: Principal;
  session: string;
  /** Without storage the repo is ephemeral to the relay (no storage ID, no stored sync state). */
  storage?: StorageAdapterInterface;
}): Repo {
  return new Repo({
    network: [],
    storage: options.storage,
    peerId: peerIdFor(options.principal, options.session) as PeerId,
    shareConfig: { announce: async () => true, access: async () => true },
  });
}

/** Connects `repo` to the relay at `syncUrl` with `token`. */
export function connectRepo(
  repo: Repo,
  syncUrl: string,
  token: string,
  retryIntervalMs = 100,
): PausableClientAdapter {
  const adapter = new PausableClientAdapter(
    `${syncUrl}?token=${encodeURIComponent(token)}`,
    retryIntervalMs,
  );
  repo.networkSubsystem.addNetworkAdapter(adapter);
  return adapter;
}

/** A real client repo connected to `syncUrl` as `principal` (peer ID `<principal>:<session>`). */
export function connectClient(options: {
  syncUrl: string;
  token: string;
  principal: Principal;
  session: string;
  storage?: StorageAdapterInterface;
}): SyncClient {
  const repo = createClientRepo(options);
  return { repo, adapter: connectRepo(repo, options.syncUrl, options.token) };
}

/** An enrolled device as the agent will be: its document made offline, then enrolled, connected. */
export interface TestAgent<T> {
  deviceId: DeviceId;
  repo: Repo;
  adapter: PausableClientAdapter;
  /** The document it enrolled with (its DeviceDoc, as far as the relay knows). */
  handle: DocHandle<T>;
}

/** Creates `initial` as a document offline, enrolls `deviceId` with it over HTTP, and connects. */
export async function startAgent<T>(
  relay: RelayProcessInfo,
  options: { deviceId: string; initial: T; storage?: StorageAdapterInterface },
): Promise<TestAgent<T>> {
  const deviceId = parseDeviceId(options.deviceId);
  const repo = createClientRepo({
    principal: { kind: "device", deviceId },
    session: "agent",
    storage: options.storage,
  });
  const handle = repo.create<T>(options.initial);
  const token = await enrollDeviceOverHttp(relay.url, {
    enrollmentSecret: relay.enrollmentSecret,
    deviceId,
    hostname: `${deviceId}.example`,
    deviceDocUrl: handle.url,
  });
  return { deviceId, repo, adapter: connectRepo(repo, relay.syncUrl, token), handle };
}
