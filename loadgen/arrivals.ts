/**
 * When the questions of one open-mode connection are due: evenly spaced (wrk2's schedule), or
 * as a Poisson process (independent arrivals, exponential gaps of the same mean), which is
 * how requests from many independent users arrive. Poisson gaps come from a seeded generator,
 * so that a run can be repeated question for question.
 */
import { seededRandom } from '../lib/seeded-random.js';

export type Arrivals = 'uniform' | 'poisson';

/** The gap before the next question, in ms, with the given mean. */
export function gapSource(arrivals: Arrivals, meanMs: number, seed: number): () => number {
  if (arrivals === 'uniform') return () => meanMs;
  const random = seededRandom(seed);
  // Inverse transform of the exponential distribution; 1 - u keeps log away from 0.
  return () => -Math.log(1 - random()) * meanMs;
}
