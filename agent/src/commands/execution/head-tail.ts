/**
 * Keeps the first and last `limit` bytes of a stream and counts the rest: a command's output can
 * be any size, and the event that records it must stay small.
 */
export class HeadTail {
  readonly #limit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail = Buffer.alloc(0);
  #total = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#limit) {
      const taken = rest.subarray(0, this.#limit - this.#headBytes);
      this.#head.push(taken);
      this.#headBytes += taken.length;
      rest = rest.subarray(taken.length);
    }
    if (rest.length > 0) {
      const joined = Buffer.concat([this.#tail, rest]);
      this.#tail = joined.subarray(Math.max(0, joined.length - this.#limit));
    }
  }

  /** Bytes seen in all. */
  get totalBytes(): number {
    return this.#total;
  }

  /** The text kept, with a marker saying how much was left out in the middle. */
  text(): string {
    const head = Buffer.concat(this.#head).toString("utf8");
    const omitted = this.#total - this.#headBytes - this.#tail.length;
    if (this.#tail.length === 0) return head;
    const marker = omitted > 0 ? `\n… [${omitted} bytes omitted] …\n` : "";
    return `${head}${marker}${this.#tail.toString("utf8")}`;
  }
}
