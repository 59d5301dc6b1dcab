/**
 * When the questions of one open-mode connection are due: evenly spaced (wrk2's schedule), or
 * as a Poisson process (independent arrivals, exponential gaps of the same mean), which is
 * how requests from many independent users arrive. Poisson gaps come from a seeded generator,
 * so that a run can be repeated question for question.
 */

export type Arrivals = 'uniform' | 'poisson';

/** mulberry32: a small, fast 32-bit generator; plenty for spacing arrivals, not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The gap before the next question, in ms, with the given mean. */
export function gapSource(arrivals: Arrivals, meanMs: number, seed: number): () => number {
  if (arrivals === 'uniform') return () => meanMs;
  const random = seededRandom(seed);
  // Inverse transform of the exponential distribution; 1 - u keeps log away from 0.
  return () => -Math.log(1 - random()) * meanMs;
}
