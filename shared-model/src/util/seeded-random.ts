/**
 * mulberry32: a tiny seeded PRNG returning uniform draws in [0, 1). Tests, benchmarks and the
 * synthetic fleet of `npm start` use it so a run can be replayed from its seed and figures compare
 * between runs and machines.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
