import { setTimeout as delay } from "node:timers/promises";
import type { BackoffPolicy, DeviceId, Logger } from "@outpost/shared-model";
import { messageOf, ReconnectSchedule } from "@outpost/shared-model";
import type { EnrollmentPinning } from "../trust/root-pinning.js";
import { type DeviceCredentials, saveCredentials } from "./credentials.js";
import { EnrollmentPending, EnrollmentRefused, enrollDevice } from "./enroll.js";
import { RootKeyRefused } from "./fleet-trust.js";
import {
  forgetPendingEnrollment,
  loadPendingEnrollment,
  type PendingEnrollment,
  savePendingEnrollment,
} from "./pending-enrollment.js";

/**
 * Where this device's enrollment stands. `waiting-for-approval`: the relay knows its ID already and
 * an admin has to approve (or deny) its request; `denied`: an admin did, and the agent stops asking.
 */
export type EnrollmentState =
  | { kind: "enrolling" }
  | { kind: "waiting-for-approval"; requestId: string }
  | { kind: "denied"; reason: string }
  | { kind: "not-configured" }
  | { kind: "enrolled" };

/** What {@link EnrollmentLoop} needs. */
export interface EnrollmentLoopOptions {
  relayUrl: string;
  enrollmentSecret: string | undefined;
  /** A one-time enrollment token; tried instead of the secret when both are given. */
  enrollmentToken: string | undefined;
  dataDirectory: string;
  device: { deviceId: DeviceId; hostname: string; deviceDocUrl: string };
  logger: Logger;
  backoff: BackoffPolicy;
  /** Aborted when the agent stops. */
  signal: AbortSignal;
  /** Checks and pins the root an enrollment answer names; without it, the root is not kept. */
  pinning?: EnrollmentPinning;
  /** After each failed attempt: whether the relay was out of reach (a new network may help). */
  onAttemptFailed(unreachable: boolean): void;
}

/**
 * Enrolls the device (docs/ARCHITECTURE.md, "Relay link"), retrying with backoff until it works,
 * an admin denies it, or the agent stops; each distinct failure is logged once. With the shared
 * secret, a device ID the relay knows waits for an admin: the agent says so once, keeps the
 * request's ID and nonce in the data folder (so the approval is collected by the request it was
 * given for, after a restart too) and asks again until an admin approves or denies it.
 */
export class EnrollmentLoop {
  readonly #options: EnrollmentLoopOptions;
  #state: EnrollmentState = { kind: "enrolling" };
  /** Aborted to cut a wait short when the network changes. */
  #wait: AbortController | undefined;

  constructor(options: EnrollmentLoopOptions) {
    this.#options = options;
  }

  /** Where enrollment stands now. */
  get state(): EnrollmentState {
    return this.#state;
  }

  /** Tries again now instead of waiting out the backoff (the network changed). */
  tryNow(): void {
    this.#wait?.abort();
  }

  /** Enrolls; `undefined` when it stopped without credentials (stopped, denied, not configured). */
  async run(): Promise<DeviceCredentials | undefined> {
    const { relayUrl, dataDirectory, logger, signal } = this.#options;
    const credential =
      this.#options.enrollmentToken !== undefined
        ? { enrollmentToken: this.#options.enrollmentToken }
        : this.#options.enrollmentSecret !== undefined
          ? { enrollmentSecret: this.#options.enrollmentSecret }
          : undefined;
    if (credential === undefined) {
      this.#state = { kind: "not-configured" };
      logger.error(
        `this device has not enrolled and the config has no enrollment_token or enrollment_secret: collecting locally only; add one and restart to sync`,
      );
      return undefined;
    }
    const { deviceId, hostname, deviceDocUrl } = this.#options.device;
    let pending = await loadPendingEnrollment(dataDirectory, relayUrl, deviceDocUrl);
    let lastReport: string | undefined;
    const schedule = new ReconnectSchedule(this.#options.backoff);
    while (!signal.aborted) {
      let unreachable = false;
      try {
        const answer = await enrollDevice(relayUrl, {
          ...credential,
          deviceId,
          hostname,
          deviceDocUrl,
          ...(pending === undefined
            ? {}
            : { pendingRequestId: pending.requestId, pendingNonce: pending.nonce }),
        });
        // A root the agent will not pin refuses the enrollment as surely as the relay can.
        const trust = await this.#options.pinning?.check(answer.trust);
        const credentials: DeviceCredentials = {
          deviceId,
          deviceToken: answer.deviceToken,
          relayPeerId: answer.relayPeerId,
          relayUrl,
          enrolledAt: new Date().toISOString(),
          ...(trust === undefined ? {} : { trust }),
        };
        await saveCredentials(dataDirectory, credentials);
        await this.#options.pinning?.enrolled(credentials);
        await forgetPendingEnrollment(dataDirectory);
        this.#state = { kind: "enrolled" };
        logger.info({ relayUrl }, `enrolled with the relay at ${relayUrl}`);
        return credentials;
      } catch (error) {
        if (error instanceof EnrollmentPending) {
          pending = await this.#waitingForApproval(error, pending);
          lastReport = undefined;
        } else if (error instanceof EnrollmentRefused && error.status === 410) {
          await forgetPendingEnrollment(dataDirectory);
          this.#state = { kind: "denied", reason: error.message };
          logger.error(
            `${error.message}: this device collects locally only and asks no more; an admin can make it an enrollment token (outpost-relay enroll-token create --device ${deviceId}) for enrollment_token, then restart it`,
          );
          return undefined;
        } else {
          if (error instanceof EnrollmentRefused && error.status === 404 && pending !== undefined) {
            // The request is gone (expired, collected by a run that crashed before saving, a relay
            // restored from backup): the next attempt asks afresh.
            pending = undefined;
            await forgetPendingEnrollment(dataDirectory);
          }
          const message = messageOf(error);
          const refused = error instanceof EnrollmentRefused || error instanceof RootKeyRefused;
          unreachable = !refused;
          // One line per distinct failure, not per attempt: a relay down for days is one line.
          if (message !== lastReport) {
            if (refused) logger.error(`${message}; retrying with backoff`);
            else logger.warn(`cannot enroll yet: ${message}; retrying with backoff`);
            lastReport = message;
          }
        }
      }
      if (signal.aborted) break; // stopped while the attempt was on its way
      this.#options.onAttemptFailed(unreachable);
      this.#wait = new AbortController();
      await delay(schedule.nextDelayMs(), undefined, {
        signal: AbortSignal.any([signal, this.#wait.signal]),
      }).catch(() => {});
    }
    return undefined;
  }

  /** Keeps a new request's nonce, and says once that the device waits for an admin. */
  async #waitingForApproval(
    pendingAnswer: EnrollmentPending,
    known: PendingEnrollment | undefined,
  ): Promise<PendingEnrollment | undefined> {
    const { requestId, nonce } = pendingAnswer.answer;
    let pending = known;
    if (nonce !== undefined) {
      pending = {
        relayUrl: this.#options.relayUrl,
        deviceDocUrl: this.#options.device.deviceDocUrl,
        requestId,
        nonce,
        requestedAt: new Date().toISOString(),
      };
      await savePendingEnrollment(this.#options.dataDirectory, pending);
    }
    const state = this.#state;
    if (state.kind !== "waiting-for-approval" || state.requestId !== requestId) {
      this.#state = { kind: "waiting-for-approval", requestId };
      this.#options.logger.warn(
        { requestId },
        `${pendingAnswer.message}; asking again with backoff until an admin approves or denies it`,
      );
    }
    return pending;
  }
}
