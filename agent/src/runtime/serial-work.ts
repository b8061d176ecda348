/**
 * One queue of asynchronous work run one piece after another: the agent's sampling ticks,
 * evictions, disk-budget steps and audit writes all go through it. Two of them at once could
 * open the same day's document twice, or delete a day while a tick appends to it.
 */
export class SerialWork {
  #last: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` after everything queued before it has settled, whether that succeeded or failed
   * (one failed tick must not stop the ones after it).
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#last.catch(() => {}).then(work);
    this.#last = result;
    return result;
  }

  /** Resolves once everything queued so far has settled; never rejects. */
  async idle(): Promise<void> {
    await this.#last.catch(() => {});
  }
}
