/**
 * A small seeded pseudo-random generator (mulberry32), so two runs of the benchmark build the
 * same queue: same IDs, priorities, dependencies and states.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `digits` lower-case hex digits. */
  hex(digits: number): string {
    let text = "";
    while (text.length < digits) text += this.integer(0, 0xffff).toString(16).padStart(4, "0");
    return text.slice(0, digits);
  }
}
