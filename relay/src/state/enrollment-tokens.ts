import type { DeviceId } from "@outpost/shared-model";
import { hashToken, newToken } from "../auth/tokens.js";
import type { EnrollmentTokenEntry } from "./device-entries.js";

/** How long a token lasts unless its maker says otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
/** The longest a token may last: a token is a credential, and one forgotten in a mail should die. */
export const MAX_TOKEN_TTL_MS = 30 * 24 * 3_600_000;

/** A one-time enrollment token as the relay remembers it (never the token itself). */
export interface EnrollmentTokenRecord {
  tokenId: string;
  /** The only device ID it enrolls; absent: any device ID the relay does not know. */
  deviceId?: DeviceId;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  usedAt?: number;
  usedBy?: DeviceId;
  revokedAt?: number;
}

/** Why a token cannot enroll this device; each is its own rejection reason in /metrics. */
export type EnrollmentTokenProblem = "unknown" | "expired" | "used" | "revoked" | "wrong-device";

/** A token that cannot enroll this device, and what to tell the device. */
export interface RefusedEnrollmentToken {
  ok: false;
  problem: EnrollmentTokenProblem;
  error: string;
}

/** A token lifetime out of range; the message says the range. */
export class EnrollmentTokenLifetimeError extends Error {
  override name = "EnrollmentTokenLifetimeError";

  constructor(ttlMs: number) {
    super(
      `an enrollment token lasts from 1 minute to 30 days, received ${Math.round(ttlMs / 1000)} s`,
    );
  }
}

/**
 * One-time enrollment tokens (docs/OPERATIONS.md, "Enrollment tokens"): random, kept only as
 * SHA-256 hashes in `principals.jsonl`, valid until they expire, spent by one enrollment. A token
 * made for a device ID enrolls only that ID, and may replace the device enrolled under it (an admin
 * asked for it: a reinstalled laptop); one made for no ID enrolls only an ID the relay does not
 * know. Spending a token is checked and recorded before the device token is issued, so two
 * requests racing with one token cannot both enroll.
 */
export class EnrollmentTokens {
  readonly #byHash = new Map<string, EnrollmentTokenRecord>();
  readonly #byId = new Map<string, EnrollmentTokenRecord>();
  /** Tokens whose use is being written: a second enrollment with one is refused meanwhile. */
  readonly #spending = new Set<string>();
  readonly #append: (entry: EnrollmentTokenEntry) => Promise<void>;

  /** `append` writes a line to the principals journal, which then feeds it to {@link apply}. */
  constructor(append: (entry: EnrollmentTokenEntry) => Promise<void>) {
    this.#append = append;
  }

  /**
   * Makes a token for `deviceId` (or for any new device) that lasts `ttlMs`. Returns the token, the
   * only time it exists in clear.
   *
   * @throws EnrollmentTokenLifetimeError for a lifetime under a minute or over 30 days.
   */
  async create(
    options: { deviceId?: DeviceId; ttlMs?: number; by: string },
    now = Date.now(),
  ): Promise<{ token: string; record: EnrollmentTokenRecord }> {
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!(ttlMs >= 60_000 && ttlMs <= MAX_TOKEN_TTL_MS))
      throw new EnrollmentTokenLifetimeError(ttlMs);
    const token = newToken("enrollment");
    const tokenHash = hashToken(token);
    const tokenId = tokenHash.slice(0, 12);
    await this.#append({
      op: "enrollment-token-created",
      at: now,
      tokenId,
      tokenHash,
      ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
      expiresAt: now + ttlMs,
      by: options.by,
    });
    return { token, record: this.#byId.get(tokenId) as EnrollmentTokenRecord };
  }

  /**
   * Checks `token` for an enrollment of `deviceId` (`known`: the relay knows that ID already).
   * Spending it ({@link spend}) checks again, since other enrollments may run meanwhile.
   */
  check(
    token: string,
    deviceId: DeviceId,
    known: boolean,
    now = Date.now(),
  ): { ok: true; record: EnrollmentTokenRecord } | RefusedEnrollmentToken {
    const record = this.#byHash.get(hashToken(token));
    if (record === undefined)
      return refused("unknown", "unknown enrollment token; ask an admin for a new one");
    const name = `enrollment token ${record.tokenId}`;
    const unusable = this.#unusable(record);
    if (unusable !== undefined) return unusable;
    if (now >= record.expiresAt) {
      const when = new Date(record.expiresAt).toISOString();
      return refused("expired", `${name} expired at ${when}; ask an admin for a new one`);
    }
    if (record.deviceId !== undefined && record.deviceId !== deviceId)
      return refused(
        "wrong-device",
        `${name} was made for device ${record.deviceId}, not ${deviceId}`,
      );
    if (record.deviceId === undefined && known) {
      return refused(
        "wrong-device",
        `device ${deviceId} is already enrolled and ${name} enrolls only new devices; an admin can make one for it: outpost-relay enroll-token create --device ${deviceId}`,
      );
    }
    return { ok: true, record };
  }

  /**
   * Marks a checked token used by `deviceId`, durably, unless another enrollment used or is using
   * it meanwhile (then says so). Called right before the device token is issued.
   */
  async spend(tokenId: string, deviceId: DeviceId): Promise<RefusedEnrollmentToken | undefined> {
    const record = this.#byId.get(tokenId);
    if (record === undefined) return refused("unknown", "unknown enrollment token");
    const unusable = this.#unusable(record);
    if (unusable !== undefined) return unusable;
    this.#spending.add(tokenId);
    try {
      await this.#append({ op: "enrollment-token-used", at: Date.now(), tokenId, deviceId });
    } finally {
      this.#spending.delete(tokenId);
    }
    return undefined;
  }

  /** Revokes a token that has not been used; false when there is no such token. */
  async revoke(tokenId: string, by: string): Promise<boolean> {
    if (!this.#byId.has(tokenId)) return false;
    await this.#append({ op: "enrollment-token-revoked", at: Date.now(), tokenId, by });
    return true;
  }

  /** Every token, newest first. */
  list(): EnrollmentTokenRecord[] {
    return [...this.#byId.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  #unusable(record: EnrollmentTokenRecord): RefusedEnrollmentToken | undefined {
    const name = `enrollment token ${record.tokenId}`;
    if (record.revokedAt !== undefined) return refused("revoked", `${name} was revoked`);
    if (this.#spending.has(record.tokenId))
      return refused("used", `${name} is being used by another enrollment`);
    if (record.usedAt === undefined) return undefined;
    const by = record.usedBy === undefined ? "" : ` by device ${record.usedBy}`;
    return refused(
      "used",
      `${name} was already used${by}; a token enrolls once: ask an admin for a new one`,
    );
  }

  /** Applies a journal line (the principals journal's reader calls this). */
  apply(entry: EnrollmentTokenEntry): void {
    if (entry.op === "enrollment-token-created") {
      const record: EnrollmentTokenRecord = {
        tokenId: entry.tokenId,
        ...(entry.deviceId === undefined ? {} : { deviceId: entry.deviceId }),
        createdAt: entry.at,
        createdBy: entry.by,
        expiresAt: entry.expiresAt,
      };
      this.#byHash.set(entry.tokenHash, record);
      this.#byId.set(entry.tokenId, record);
      return;
    }
    const record = this.#byId.get(entry.tokenId);
    if (record === undefined) return;
    if (entry.op === "enrollment-token-used") {
      record.usedAt ??= entry.at;
      record.usedBy ??= entry.deviceId;
    } else record.revokedAt ??= entry.at;
  }
}

function refused(problem: EnrollmentTokenProblem, error: string): RefusedEnrollmentToken {
  return { ok: false, problem, error };
}
