import type { DeviceId, EnrollPendingResponse, EnrollRequest, Logger } from "@outpost/shared-model";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { PendingEnrollmentRecord } from "../state/pending-enrollments.js";
import type { PrincipalStore } from "../state/principal-store.js";

/** A refusal: the HTTP status, the reason counted in /metrics, and what to tell the device. */
export interface GateRefusal {
  kind: "refuse";
  status: number;
  reason: RejectionReason;
  error: string;
}

/** What may happen to an enrollment request, by what it presented. */
export type GateDecision =
  | GateRefusal
  /** A re-enrollment request an admin has not decided on yet: answered 202 again. */
  | { kind: "waiting"; answer: EnrollPendingResponse }
  /** The shared secret with a known device ID: becomes a request for an admin to decide. */
  | { kind: "ask-admin" }
  | {
      kind: "enroll";
      /** The relay does not know the ID: it spends the fleet's new-device allowance. */
      newDevice: boolean;
      /** Subject to the enrollment rate limits (collecting an approved request is not). */
      rateLimited: boolean;
      /** Records the token or approval spent, right before the device token is issued. */
      spend(): Promise<GateRefusal | undefined>;
    };

/**
 * Who may enroll which device ID (docs/OPERATIONS.md, "Enrollment and device tokens"), so that
 * enrolling can never take a device over:
 *
 * - the fleet's shared secret enrolls only device IDs the relay does not know; for a known ID
 *   (enrolled, revoked, or removed with its documents still on disk) it makes a request that an
 *   admin approves or denies;
 * - a one-time enrollment token enrolls once, before it expires: a token made for a device ID
 *   enrolls that ID, replacing the device if there is one; a token made for no ID, a new ID;
 * - an approved request is collected by the requester alone, with the nonce it was given.
 */
export class EnrollmentGate {
  readonly #principals: PrincipalStore;
  readonly #connectedDevices: () => ReadonlySet<string>;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;

  constructor(options: {
    principals: PrincipalStore;
    /** Devices holding a sync connection now, for the admin deciding on a request. */
    connectedDevices: () => ReadonlySet<string>;
    logger: Logger;
    metrics: RelayMetrics;
  }) {
    this.#principals = options.principals;
    this.#connectedDevices = options.connectedDevices;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /** What to do with a request that parsed. */
  decide(request: EnrollRequest, now = Date.now()): GateDecision {
    const deviceId = request.deviceId as DeviceId;
    const known = this.#principals.isKnownDevice(deviceId);
    if (request.pendingRequestId !== undefined || request.pendingNonce !== undefined)
      return this.#collecting(request, now);
    if (request.enrollmentToken !== undefined) {
      const tokens = this.#principals.enrollmentTokens;
      const checked = tokens.check(request.enrollmentToken, deviceId, known, now);
      if (!checked.ok) return refuse(403, `enroll-token-${checked.problem}`, checked.error);
      return {
        kind: "enroll",
        newDevice: !known,
        rateLimited: true,
        spend: async () => {
          const refused = await tokens.spend(checked.record.tokenId, deviceId);
          return refused && refuse(403, `enroll-token-${refused.problem}`, refused.error);
        },
      };
    }
    const secret = request.enrollmentSecret;
    if (secret === undefined || !this.#principals.checkEnrollmentSecret(secret))
      return refuse(403, "enroll-bad-secret", "wrong enrollment secret");
    if (known) return { kind: "ask-admin" };
    return { kind: "enroll", newDevice: true, rateLimited: true, spend: async () => undefined };
  }

  /**
   * Records a request for an admin to decide and answers it (202) with its ID and nonce. The
   * caller has checked that `deviceDocUrl` can be this device's.
   */
  async askAdmin(request: EnrollRequest, remoteAddress: string): Promise<EnrollPendingResponse> {
    const deviceId = request.deviceId as DeviceId;
    const { record, nonce } = await this.#principals.pendingEnrollments.request({
      deviceId,
      hostname: request.hostname,
      deviceDocUrl: request.deviceDocUrl,
      remoteAddress,
      connectedAtRequest: this.#connectedDevices().has(deviceId),
    });
    this.#metrics.reenrollmentRequests.inc();
    this.#logger.warn(
      { deviceId, hostname: request.hostname, remoteAddress, requestId: record.requestId },
      `device ${deviceId} is already known: its re-enrollment from ${remoteAddress} waits for an admin (outpost-relay device approve ${record.requestId}, or deny)`,
    );
    return { ...waiting(record), nonce };
  }

  #collecting(request: EnrollRequest, now: number): GateDecision {
    const { pendingRequestId: requestId, pendingNonce: nonce } = request;
    if (requestId === undefined || nonce === undefined) {
      return refuse(400, "enroll-bad-request", "pendingRequestId and pendingNonce go together");
    }
    const pending = this.#principals.pendingEnrollments;
    const record = pending.withNonce(requestId, nonce);
    const unknown = `no re-enrollment request ${requestId} with this nonce`;
    if (record === undefined)
      return refuse(404, "enroll-pending-unknown", `${unknown}; enroll again`);
    if (record.deviceId !== request.deviceId || record.deviceDocUrl !== request.deviceDocUrl) {
      return refuse(
        400,
        "enroll-bad-request",
        `re-enrollment request ${requestId} was made for device ${record.deviceId} with DeviceDoc ${record.deviceDocUrl}`,
      );
    }
    const status = pending.statusOf(record, now);
    if (status === "pending") return { kind: "waiting", answer: waiting(record) };
    if (status === "denied") {
      const by = record.decision === undefined ? "" : ` by ${record.decision.by}`;
      return refuse(
        410,
        "enroll-pending-denied",
        `re-enrollment request ${requestId} was denied${by}`,
      );
    }
    if (status !== "approved") {
      return refuse(
        404,
        "enroll-pending-unknown",
        `re-enrollment request ${requestId} is ${status}; enroll again`,
      );
    }
    return {
      kind: "enroll",
      newDevice: !this.#principals.isKnownDevice(record.deviceId),
      rateLimited: false,
      spend: async () =>
        (await pending.collect(requestId))
          ? undefined
          : refuse(
              404,
              "enroll-pending-unknown",
              `re-enrollment request ${requestId} is no longer approved or was collected`,
            ),
    };
  }
}

function refuse(status: number, reason: RejectionReason, error: string): GateRefusal {
  return { kind: "refuse", status, reason, error };
}

function waiting(record: PendingEnrollmentRecord): EnrollPendingResponse {
  return {
    status: "pending",
    requestId: record.requestId,
    message: `device ${record.deviceId} is already enrolled: re-enrollment request ${record.requestId} waits for an admin to approve it (outpost-relay device approve ${record.requestId})`,
  };
}
