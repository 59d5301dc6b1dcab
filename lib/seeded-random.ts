/**
 * Seeded pseudo-random numbers, so that what is drawn at random (the load generator's Poisson
 * gaps, the servers' service times) can be repeated draw for draw. Not for secrets.
 */

/** mulberry32: a small, fast 32-bit generator, uniform in [0, 1). */
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

/** A 32-bit finaliser (lowbias32): every input bit moves about half the output bits. */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The seed of one stream of a seeded run: a hash of the run's seed and the stream's numbers
 * (say a thread and a purpose). Neighbouring numbers give unrelated seeds, so that the streams
 * neither repeat nor trail each other, as seed + 1 would with mulberry32's additive state.
 */
export function streamSeed(seed: number, ...stream: readonly number[]): number {
  let hash = mix32(seed);
  for (const part of stream) hash = mix32(hash ^ mix32(Math.imul(part + 1, 0x9e3779b9)));
  return hash;
}
