import { type DeviceId, type EnrollRequest, parseDeviceId } from "@outpost/shared-model";

/** Enrollment requests at once: enough to keep the relay busy without a queue on its socket. */
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 60_000;

/** A device as it enrolls: its ID, hostname and the URL of the DeviceDoc its agent created. */
export interface Enrollee {
  deviceId: DeviceId;
  hostname: string;
  deviceDocUrl: string;
}

/**
 * Enrolls devices with `POST /v1/enroll`, as their agents do on first start, a few at a time in
 * the background: the relay records each in its FleetDoc and makes it the owner of its DeviceDoc.
 */
export class Enrollments {
  readonly #relayUrl: string;
  readonly #enrollmentSecret: string;
  readonly #pending: Promise<void>[] = [];
  readonly #waiting: (() => void)[] = [];
  #free = CONCURRENCY;

  constructor(relayUrl: string, enrollmentSecret: string) {
    this.#relayUrl = relayUrl;
    this.#enrollmentSecret = enrollmentSecret;
  }

  /** Enrolls `device` in the background; {@link whenDone} reports a failure. */
  enroll(device: Enrollee): void {
    const enrollment = this.#enroll(device);
    // Observed by whenDone; a failure before then must not count as unhandled.
    enrollment.catch(() => {});
    this.#pending.push(enrollment);
  }

  /** Resolves once every enrollment so far succeeded; rejects with the first failure. */
  async whenDone(): Promise<void> {
    await Promise.all(this.#pending);
  }

  async #enroll(device: Enrollee): Promise<void> {
    while (this.#free === 0) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#free -= 1;
    try {
      const body: EnrollRequest = {
        enrollmentSecret: this.#enrollmentSecret,
        deviceId: parseDeviceId(device.deviceId),
        hostname: device.hostname,
        deviceDocUrl: device.deviceDocUrl,
      };
      const response = await fetch(`${this.#relayUrl}/v1/enroll`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) {
        throw new Error(
          `enrolling ${device.deviceId}: HTTP ${response.status} ${await response.text()}`,
        );
      }
    } finally {
      this.#free += 1;
      this.#waiting.shift()?.();
    }
  }
}
