/**
 * Tells when every expected document has reached a server, and when each did. A document counts
 * when a report names heads that include every head the agent holds (only the agent writes its
 * documents, so the server can hold nothing newer), or, for a report the agent already checked
 * (a durable ack), as soon as it arrives.
 */
export class CompletionTracker {
  readonly #expected: ReadonlyMap<string, readonly string[]>;
  readonly #completedAt = new Map<string, number>();
  readonly #done: Promise<number>;
  #resolve: (at: number) => void = () => {};

  constructor(expected: ReadonlyMap<string, readonly string[]>) {
    this.#expected = expected;
    this.#done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** `performance.now()` when the last expected document completed. */
  get done(): Promise<number> {
    return this.#done;
  }

  /** Documents still missing. */
  get remaining(): number {
    return this.#expected.size - this.#completedAt.size;
  }

  get total(): number {
    return this.#expected.size;
  }

  /** Records a report about `documentId`; without `heads`, the report was already checked. */
  record(documentId: string, heads?: readonly string[]): void {
    const expected = this.#expected.get(documentId);
    if (expected === undefined || this.#completedAt.has(documentId)) return;
    if (heads !== undefined && !expected.every((head) => heads.includes(head))) return;
    const now = performance.now();
    this.#completedAt.set(documentId, now);
    if (this.remaining === 0) this.#resolve(now);
  }
}
