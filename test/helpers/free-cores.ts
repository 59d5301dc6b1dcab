/** How much of the machine a test that measures scaling or latency can count on right now. */
import { Worker } from 'node:worker_threads';

/** Below this many free cores (of 2) what the physics tests look for cannot show, whatever the servers do. */
export const MIN_FREE_CORES = 1.6;

/** Runs two CPU-bound threads for 400 ms and returns how many cores they got together. */
export async function measureFreeCores(): Promise<number> {
  const code =
    'const end = Date.now() + 400; let x = 1; while (Date.now() < end) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; }';
  const startedAt = performance.now();
  const before = process.cpuUsage();
  await Promise.all([0, 1].map(() => new Promise((resolve) => new Worker(code, { eval: true }).once('exit', resolve))));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - startedAt);
}
