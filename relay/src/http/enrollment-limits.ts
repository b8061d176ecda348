import { isIPv6 } from "node:net";
import type { RejectionReason } from "../metrics/relay-metrics.js";
import { RateLimiter } from "./rate-limiter.js";

/** The three enrollment rates (RelayLimits), each a minute's worth and its burst. */
export interface EnrollmentRates {
  /** Failed attempts (wrong secret, bad request) per client address. */
  failuresPerMinute: number;
  /** Enrollments that got past the secret, per client address. */
  enrollmentsPerMinute: number;
  /** Enrollments of device IDs the relay does not know yet, across every address. */
  newDevicesPerMinute: number;
}

/** Why an enrollment was refused with 429, and when to come back. */
export interface EnrollmentRefusal {
  reason: RejectionReason;
  error: string;
  retryAfterSeconds: number;
}

/**
 * Enrollment's rate limits (ARCHITECTURE.md, "The relay"), in three buckets so that none is spent
 * by someone else's traffic:
 *
 * - failures (wrong secret, bad request), per address: past them an address's failures are
 *   answered 429 with `retry-after`. The right secret is never refused for failures: it is 256
 *   random bits, so limiting guesses gains nothing, while a lockout would let one guesser, or a
 *   batch of agents still holding a rotated secret, shut out every device sharing its address (a
 *   NAT; the whole fleet behind a proxy missing from `trusted_proxies`);
 * - enrollments with the right secret, per address: one host with the secret cannot enroll fakes
 *   faster than this, and never spends another address's enrollments;
 * - new devices across the fleet: many addresses with a leaked secret cannot grow the fleet faster
 *   than this. Such a flood delays new devices elsewhere (they retry after `retry-after`), known
 *   devices enrolling again are not counted, and its refusals are the signal to rotate the secret.
 *
 * IPv6 clients are limited by their /64: one host is usually given a whole /64.
 */
export class EnrollmentLimits {
  readonly #failures: RateLimiter;
  readonly #enrollments: RateLimiter;
  readonly #newDevices: RateLimiter;

  constructor(rates: EnrollmentRates, now?: () => number) {
    this.#failures = new RateLimiter(rates.failuresPerMinute, now);
    this.#enrollments = new RateLimiter(rates.enrollmentsPerMinute, now);
    this.#newDevices = new RateLimiter(rates.newDevicesPerMinute, now);
  }

  /** An attempt from `address` failed: counts it, or refuses it when the address's are spent. */
  failed(address: string): EnrollmentRefusal | undefined {
    const key = rateLimitKeyOf(address);
    if (this.#failures.take(key)) return undefined;
    return refusal(
      "enroll-rate-limited-failures",
      "too many failed enrollment attempts from this address",
      this.#failures.waitMs(key),
    );
  }

  /**
   * An attempt from `address` had the right secret: admits it, or refuses it without spending
   * either bucket when the address's enrollments or (for a new device) the fleet's are spent.
   */
  admit(address: string, newDevice: boolean): EnrollmentRefusal | undefined {
    const key = rateLimitKeyOf(address);
    if (!this.#enrollments.has(key)) {
      return refusal(
        "enroll-rate-limited-address",
        "too many enrollments from this address",
        this.#enrollments.waitMs(key),
      );
    }
    if (newDevice && !this.#newDevices.has(FLEET)) {
      return refusal(
        "enroll-rate-limited-fleet",
        "too many new devices enrolling across the fleet",
        this.#newDevices.waitMs(FLEET),
      );
    }
    this.#enrollments.take(key);
    if (newDevice) this.#newDevices.take(FLEET);
    return undefined;
  }
}

const FLEET = "fleet";

function refusal(reason: RejectionReason, what: string, waitMs: number): EnrollmentRefusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return { reason, error: `${what}; retry in ${retryAfterSeconds} s`, retryAfterSeconds };
}

/**
 * The bucket an address counts against: an IPv4 address (also when written IPv4-mapped,
 * `::ffff:1.2.3.4`), or the /64 of an IPv6 address.
 */
export function rateLimitKeyOf(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address.split("%")[0] ?? address);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const embedded = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (embedded !== null) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = text.slice(0, embedded.index) + tail;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const zeros = Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...(rest === undefined ? [] : zeros), ...right].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}
