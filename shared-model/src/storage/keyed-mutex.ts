/**
 * Runs async tasks one at a time per key, in call order. Tasks under different keys run in
 * parallel. A key's entry is deleted as soon as its last task settles, so the map only ever holds
 * keys with work in flight and never grows with the number of keys seen.
 */
export class KeyedMutex {
  #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task under `key` has settled; returns its result. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    // `tail` never rejects: it only waits for `release`, which runs whether the task fails or not.
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Number of keys with a task in flight; for tests asserting that nothing leaks. */
  get size(): number {
    return this.#tails.size;
  }
}
