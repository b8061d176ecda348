import type { Repo } from "@automerge/automerge-repo";
import type { DeviceId, Logger } from "@outpost/shared-model";
import { type BackoffPolicy, messageOf, RECONNECT_BACKOFF } from "@outpost/shared-model";
import type { ConnectivityProbe } from "../collectors/collector.js";
import { type DeviceCredentials, loadCredentials } from "../enrollment/credentials.js";
import { EnrollmentLoop, type EnrollmentState } from "../enrollment/enrollment-loop.js";
import type { EnrollmentPinning } from "../trust/root-pinning.js";
import { type NetworkChangeSources, NetworkChangeWatch } from "./network-change-watch.js";
import { type ConnectionState, RelayConnection } from "./relay-connection.js";

/**
 * The agent's whole relationship with its relay: enrollment the first time the relay is
 * reachable (the agent works fully before that), then the sync connection with the stored device
 * token. Never throws out of the background work: a relay that is down, refuses enrollment or
 * revokes the token is logged once per change and retried with backoff while the agent collects.
 * While the relay is out of reach it watches the device's network, and tries at once when that
 * changes (a Wi-Fi joined, the machine woke) instead of waiting out the backoff.
 */
export class RelayLink implements ConnectivityProbe {
  readonly #repo: Repo;
  readonly #relayUrl: string;
  readonly #dataDirectory: string;
  readonly #logger: Logger;
  readonly #backoff: BackoffPolicy;
  readonly #now: (() => number) | undefined;
  readonly #stopping = new AbortController();
  readonly #connectedListeners = new Set<() => void>();
  readonly #networkWatch: NetworkChangeWatch;
  readonly #enrollment: EnrollmentLoop;
  #credentials: DeviceCredentials | undefined;
  #connection: RelayConnection | undefined;
  #running: Promise<void> | undefined;

  constructor(options: {
    repo: Repo;
    relayUrl: string;
    enrollmentSecret: string | undefined;
    /** A one-time enrollment token; tried instead of the secret when both are given. */
    enrollmentToken?: string;
    dataDirectory: string;
    device: { deviceId: DeviceId; hostname: string; deviceDocUrl: string };
    logger: Logger;
    backoff?: BackoffPolicy;
    /** The wall clock for the connection state's `retryAt`; `Date.now` by default. */
    now?: () => number;
    /** The network change watch's sources and interval; the system's by default. */
    networkWatch?: { sources?: Partial<NetworkChangeSources>; intervalMs?: number };
    /** Checks and pins the root an enrollment answer names; without it, the root is not kept. */
    pinning?: EnrollmentPinning;
  }) {
    this.#repo = options.repo;
    this.#relayUrl = options.relayUrl;
    this.#dataDirectory = options.dataDirectory;
    this.#logger = options.logger;
    this.#backoff = options.backoff ?? RECONNECT_BACKOFF;
    this.#now = options.now;
    this.#networkWatch = new NetworkChangeWatch(
      (reason) => this.#networkChanged(reason),
      options.networkWatch,
    );
    this.#enrollment = new EnrollmentLoop({
      relayUrl: options.relayUrl,
      enrollmentSecret: options.enrollmentSecret,
      enrollmentToken: options.enrollmentToken,
      dataDirectory: options.dataDirectory,
      device: options.device,
      logger: options.logger,
      backoff: this.#backoff,
      signal: this.#stopping.signal,
      pinning: options.pinning,
      // A refusal (wrong secret, rate limit) is not a network problem; a new network cannot help.
      onAttemptFailed: (unreachable) =>
        unreachable ? this.#networkWatch.start() : this.#networkWatch.stop(),
    });
  }

  /** Enrolls if needed and connects, in the background. */
  start(): void {
    this.#running ??= this.#run().catch((error: unknown) => {
      if (!this.#stopping.signal.aborted) {
        this.#logger.error({ err: error }, `the relay link failed: ${messageOf(error)}`);
      }
    });
  }

  /**
   * The relay's peer ID: only its acknowledgements count. While connected, the peer that answered
   * the authenticated join (a relay restored from backup may have a new ID); otherwise the one
   * enrollment gave.
   */
  get relayPeerId(): string | undefined {
    const state = this.#connection?.state;
    return state?.kind === "connected" ? state.relayPeerId : this.#credentials?.relayPeerId;
  }

  /** Where enrollment stands (`enrolled` once the device has a token). */
  get enrollment(): EnrollmentState {
    return this.#credentials === undefined ? this.#enrollment.state : { kind: "enrolled" };
  }

  /** What enrollment gave this device, once it is loaded or enrolled. */
  get credentials(): DeviceCredentials | undefined {
    return this.#credentials;
  }

  /** The connection's state, or `undefined` before enrollment. */
  get state(): ConnectionState | undefined {
    return this.#connection?.state;
  }

  isOnline(): boolean {
    return this.#connection?.state.kind === "connected";
  }

  roundTripMs(): Promise<number | undefined> {
    return this.#connection?.roundTripMs() ?? Promise.resolve(undefined);
  }

  /** Calls `listener` each time the sync connection opens; returns an unsubscribe function. */
  onConnected(listener: () => void): () => void {
    this.#connectedListeners.add(listener);
    return () => this.#connectedListeners.delete(listener);
  }

  /** Stops retrying and closes the connection. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#networkWatch.stop();
    this.#connection?.disconnect();
    await this.#running;
  }

  async #run(): Promise<void> {
    this.#credentials = await loadCredentials(this.#dataDirectory);
    if (this.#credentials && this.#credentials.relayUrl !== this.#relayUrl) {
      this.#logger.warn(
        { enrolledWith: this.#credentials.relayUrl, configured: this.#relayUrl },
        `enrolled with ${this.#credentials.relayUrl} but configured for ${this.#relayUrl}; using the configured address with the stored token`,
      );
    }
    this.#credentials ??= await this.#enroll();
    if (this.#credentials === undefined) return;
    const syncUrl = new URL("/sync", this.#relayUrl.replace(/^http/, "ws"));
    syncUrl.searchParams.set("token", this.#credentials.deviceToken);
    const connection = new RelayConnection(syncUrl.toString(), {
      logger: this.#logger,
      backoff: this.#backoff,
      now: this.#now,
    });
    connection.onStateChange((state) => {
      if (state.kind === "connected") for (const listener of this.#connectedListeners) listener();
      // A refused token is not a network problem: a new network would not change the answer.
      if (state.kind === "offline") this.#networkWatch.start();
      else if (state.kind !== "connecting") this.#networkWatch.stop();
    });
    this.#connection = connection;
    if (this.#stopping.signal.aborted) return;
    this.#repo.networkSubsystem.addNetworkAdapter(connection);
  }

  async #enroll(): Promise<DeviceCredentials | undefined> {
    const credentials = await this.#enrollment.run();
    this.#networkWatch.stop();
    return credentials;
  }

  #networkChanged(reason: string): void {
    this.#logger.debug(`${reason}: trying the relay now`);
    this.#enrollment.tryNow();
    this.#connection?.retryNow();
  }
}
