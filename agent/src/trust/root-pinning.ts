import { type FleetTrust, type Logger, messageOf } from "@outpost/shared-model";
import {
  type DeviceCredentials,
  loadCredentials,
  saveCredentials,
} from "../enrollment/credentials.js";
import { checkFleetTrust, RootKeyRefused } from "../enrollment/fleet-trust.js";
import { fetchSessionTrust } from "../enrollment/session-trust.js";
import type { AgentTrust } from "./agent-trust.js";

/** What the relay link asks of the root pinning while it enrolls. */
export interface EnrollmentPinning {
  /**
   * Checks the root an enrollment answer names before the credentials are saved; returns what to
   * keep with them.
   *
   * @throws RootKeyRefused: the enrollment is refused, and nothing is saved
   */
  check(trust: FleetTrust | undefined): Promise<FleetTrust | undefined>;
  /** The credentials are on disk (with the root, if the answer named one). */
  enrolled(credentials: DeviceCredentials): Promise<void>;
}

/**
 * Where the agent's root comes from (docs/ARCHITECTURE.md, "Trust", Pinning): the agent's options
 * (tests), else the credentials file, else the enrollment answer, kept with the credentials. A
 * device enrolled before there was a root asks the relay's session for it once, trusting it on
 * first use. Each root is checked against the config's `root_key_fingerprint` when it names one.
 */
export class RootPinning implements EnrollmentPinning {
  readonly #trust: AgentTrust;
  readonly #dataDirectory: string;
  readonly #relayUrl: string;
  readonly #configured: string | undefined;
  readonly #logger: Logger;
  #asking: Promise<void> | undefined;
  #lastFailure: string | undefined;
  /** True when the agent's options gave the root: enrollment then keeps, but does not pin, one. */
  #given = false;

  constructor(options: {
    trust: AgentTrust;
    dataDirectory: string;
    relayUrl: string;
    /** The config's `root_key_fingerprint`. */
    rootKeyFingerprint: string | undefined;
    logger: Logger;
  }) {
    this.#trust = options.trust;
    this.#dataDirectory = options.dataDirectory;
    this.#relayUrl = options.relayUrl;
    this.#configured = options.rootKeyFingerprint;
    this.#logger = options.logger;
  }

  /** Pins the root the agent was given, or the one its credentials keep, before anything runs. */
  async resume(given: FleetTrust | undefined): Promise<void> {
    if (given !== undefined) {
      this.#given = true;
      await this.#trust.pin(given, "given to the agent by its options");
      return;
    }
    const kept = (await loadCredentials(this.#dataDirectory))?.trust;
    if (kept !== undefined) await this.#trust.pin(kept, "pinned at enrollment");
  }

  check(trust: FleetTrust | undefined): Promise<FleetTrust | undefined> {
    return checkFleetTrust(trust, this.#configured, `the enrollment answer of ${this.#relayUrl}`);
  }

  async enrolled(credentials: DeviceCredentials): Promise<void> {
    if (credentials.trust !== undefined && !this.#given) {
      await this.#trust.pin(credentials.trust, `pinned at enrollment with ${this.#relayUrl}`);
    }
  }

  /**
   * The sync connection opened with `credentials`: a device that has no root yet asks the
   * relay's session for it (again at each connection until it has one).
   */
  connected(credentials: DeviceCredentials | undefined): void {
    if (credentials === undefined || this.#trust.status.kind === "pinned") return;
    this.#asking ??= this.#askSession(credentials).finally(() => {
      this.#asking = undefined;
    });
  }

  /** Resolves once a session question under way is answered (tests, shutdown). */
  async idle(): Promise<void> {
    await this.#asking;
  }

  async #askSession(credentials: DeviceCredentials): Promise<void> {
    const from = `the session of ${this.#relayUrl}`;
    try {
      const named = await fetchSessionTrust(this.#relayUrl, credentials.deviceToken);
      const trust = await checkFleetTrust(named, this.#configured, from);
      if (trust === undefined) {
        this.#trust.markAbsent(
          `the relay at ${this.#relayUrl} named no root key, at enrollment nor in its session`,
        );
        return;
      }
      const current = await loadCredentials(this.#dataDirectory);
      // Kept with the credentials, once: from now on this root is the one, whatever the relay says.
      if (current !== undefined && current.trust === undefined) {
        await saveCredentials(this.#dataDirectory, { ...current, trust });
      }
      await this.#trust.pin(
        current?.trust ?? trust,
        `trusted on first use: this device was enrolled before it pinned a root, and ${from} named this one`,
      );
    } catch (error) {
      if (error instanceof RootKeyRefused) {
        this.#trust.markAbsent(error.message);
        return;
      }
      // Offline again, or a refused token: the next connection asks again. One line per reason.
      const message = messageOf(error);
      if (message !== this.#lastFailure) {
        this.#logger.warn(`cannot ask the relay for the fleet's root key yet: ${message}`);
        this.#lastFailure = message;
      }
    }
  }
}
