/**
 * A token bucket per key (a client address): `perMinute` requests a minute, with bursts of the
 * same size. Memory stays bounded: buckets that have refilled are dropped on each check.
 */
export class RateLimiter {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(perMinute: number, now: () => number = () => performance.now()) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const bucket = this.#bucket(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** True when `key` has a token to take. */
  has(key: string): boolean {
    return this.#bucket(key).tokens >= 1;
  }

  /** Milliseconds until `key` has a token again; 0 when it has one now. */
  waitMs(key: string): number {
    const { tokens } = this.#bucket(key);
    return tokens >= 1 ? 0 : ((1 - tokens) * 60_000) / this.#perMinute;
  }

  /** The bucket of `key`, refilled up to now. */
  #bucket(key: string): { tokens: number; updatedAt: number } {
    const now = this.#now();
    if (this.#buckets.size > 10_000) this.#dropFullBuckets(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + this.#refill(bucket.updatedAt, now));
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    return bucket;
  }

  #refill(since: number, now: number): number {
    return ((now - since) / 60_000) * this.#perMinute;
  }

  #dropFullBuckets(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + this.#refill(bucket.updatedAt, now) >= this.#perMinute)
        this.#buckets.delete(key);
    }
  }
}
