import { randomBytes } from "node:crypto";
import type { DeviceId, PendingEnrollmentStatus } from "@outpost/shared-model";
import { hashToken, secretsEqual } from "../auth/tokens.js";
import type { PendingEnrollmentEntry } from "./device-entries.js";

/** A request nobody collected is forgotten after this: the requester asks again. */
export const PENDING_ENROLLMENT_TTL_MS = 7 * 24 * 3_600_000;

/** A re-enrollment of a known device ID with the shared secret, waiting for an admin. */
export interface PendingEnrollmentRecord {
  requestId: string;
  deviceId: DeviceId;
  hostname: string;
  deviceDocUrl: string;
  remoteAddress: string;
  requestedAt: number;
  /** Whether the device enrolled under that ID held a sync connection when the request came. */
  connectedAtRequest: boolean;
  decision?: { kind: "approved" | "denied"; at: number; by: string };
  collectedAt?: number;
}

/** An admin's decision that does not fit the request's state; the message says why. */
export class PendingEnrollmentError extends Error {
  override name = "PendingEnrollmentError";

  constructor(
    readonly problem: "unknown" | "decided",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Re-enrollments waiting for an admin (docs/OPERATIONS.md, "Re-enrollment"). The shared secret
 * enrolls only new device IDs: a request for an ID the relay knows is recorded here and answered
 * with its ID and a random nonce (kept hashed), and an admin approves or denies it. The approval is
 * for that request alone: only the holder of its nonce collects the device token, once, for the
 * DeviceDoc the request named.
 */
export class PendingEnrollments {
  readonly #byId = new Map<string, PendingEnrollmentRecord & { nonceHash: string }>();
  readonly #collecting = new Set<string>();
  readonly #append: (entry: PendingEnrollmentEntry) => Promise<void>;

  /** `append` writes a line to the principals journal, which then feeds it to {@link apply}. */
  constructor(append: (entry: PendingEnrollmentEntry) => Promise<void>) {
    this.#append = append;
  }

  /** Records a request and returns it with its nonce, the only time the nonce exists in clear. */
  async request(
    request: Omit<
      PendingEnrollmentRecord,
      "requestId" | "requestedAt" | "decision" | "collectedAt"
    >,
    now = Date.now(),
  ): Promise<{ record: PendingEnrollmentRecord; nonce: string }> {
    const requestId = randomBytes(6).toString("hex");
    const nonce = randomBytes(32).toString("base64url");
    await this.#append({
      op: "enrollment-requested",
      at: now,
      requestId,
      ...request,
      nonceHash: hashToken(nonce),
    });
    return { record: this.get(requestId) as PendingEnrollmentRecord, nonce };
  }

  /** The request `requestId`, without its nonce's hash. */
  get(requestId: string): PendingEnrollmentRecord | undefined {
    const found = this.#byId.get(requestId);
    if (found === undefined) return undefined;
    const { nonceHash: _hidden, ...record } = found;
    return record;
  }

  /** The request `requestId` when `nonce` is its nonce; `undefined` otherwise, whichever is wrong. */
  withNonce(requestId: string, nonce: string): PendingEnrollmentRecord | undefined {
    const found = this.#byId.get(requestId);
    if (found === undefined || !secretsEqual(hashToken(nonce), found.nonceHash)) return undefined;
    return this.get(requestId);
  }

  /** Where a request stands at `now`. */
  statusOf(record: PendingEnrollmentRecord, now = Date.now()): PendingEnrollmentStatus {
    if (record.collectedAt !== undefined) return "collected";
    if (record.decision?.kind === "denied") return "denied";
    if (now - record.requestedAt >= PENDING_ENROLLMENT_TTL_MS) return "expired";
    return record.decision?.kind ?? "pending";
  }

  /**
   * Records an approved request collected, durably, right before its device token is issued.
   * False when it is no longer approved (collected, or denied meanwhile) or is being collected.
   */
  async collect(requestId: string): Promise<boolean> {
    const record = this.get(requestId);
    if (record === undefined || this.statusOf(record) !== "approved") return false;
    if (this.#collecting.has(requestId)) return false;
    this.#collecting.add(requestId);
    try {
      await this.#append({ op: "enrollment-collected", at: Date.now(), requestId });
    } finally {
      this.#collecting.delete(requestId);
    }
    return true;
  }

  /**
   * Approves or denies a request. A denied, collected or expired request cannot be approved; an
   * approved one may still be denied until its requester collects it.
   *
   * @throws PendingEnrollmentError naming the request and its state.
   */
  async decide(requestId: string, kind: "approved" | "denied", by: string): Promise<void> {
    const record = this.get(requestId);
    if (record === undefined) {
      throw new PendingEnrollmentError(
        "unknown",
        `no re-enrollment request ${requestId}; "outpost-relay device pending" lists them`,
      );
    }
    const status = this.statusOf(record);
    const open = status === "pending" || (status === "approved" && kind === "denied");
    if (!open) {
      throw new PendingEnrollmentError(
        "decided",
        `re-enrollment request ${requestId} of device ${record.deviceId} is ${status}; it cannot be ${kind} now`,
      );
    }
    await this.#append({
      op: kind === "approved" ? "enrollment-approved" : "enrollment-denied",
      at: Date.now(),
      requestId,
      by,
    });
  }

  /** Every request, newest first; only those still open (pending or approved) unless `all`. */
  list(options: { all?: boolean } = {}, now = Date.now()): PendingEnrollmentRecord[] {
    return [...this.#byId.keys()]
      .map((requestId) => this.get(requestId) as PendingEnrollmentRecord)
      .filter((record) => {
        const status = this.statusOf(record, now);
        return options.all === true || status === "pending" || status === "approved";
      })
      .sort((a, b) => b.requestedAt - a.requestedAt);
  }

  /** Applies a journal line (the principals journal's reader calls this). */
  apply(entry: PendingEnrollmentEntry): void {
    if (entry.op === "enrollment-requested") {
      const { op: _op, at, ...request } = entry;
      this.#byId.set(entry.requestId, { ...request, requestedAt: at });
      return;
    }
    const record = this.#byId.get(entry.requestId);
    if (record === undefined) return;
    if (entry.op === "enrollment-collected") record.collectedAt ??= entry.at;
    else if (record.decision?.kind !== "denied") {
      // A denial is final; an approval may still be overturned by one until collected.
      record.decision = {
        kind: entry.op === "enrollment-approved" ? "approved" : "denied",
        at: entry.at,
        by: entry.by,
      };
    }
  }
}
