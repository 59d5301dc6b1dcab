/**
 * The normalisation reference: how much CPU time one cpu-us of the servers' own burnCpu work
 * takes on this machine, now. Dividing a server's CPU time per answer by it gives the cost in
 * cpu-us units, which a faster or slower machine of the same kind leaves unchanged.
 */
import { burnCpu } from '../../servers/shared/work.js';
import { quantile } from '../../lib/stats.js';

/** One reference chunk: 1 ms of work, which process.cpuUsage (microseconds) times to 0.1%. */
const UNITS_PER_CHUNK = 1000;
const CHUNKS_PER_READING = 12;
/** Like the server's chunks: interference only adds time, so take a low quantile. */
const READING_QUANTILE = 0.25;

let warmedUp = false;

function warmUp(): void {
  // Until V8 has optimised the loop, it runs several times slower than in a warm server.
  for (let round = 0; round < 40; round++) burnCpu(UNITS_PER_CHUNK);
  warmedUp = true;
}

function cpuUsOf(action: () => void): number {
  const before = process.cpuUsage();
  action();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** CPU microseconds per cpu-us unit of burnCpu work, measured in this process now (~15 ms). */
export function measureReference(): number {
  if (!warmedUp) warmUp();
  const perUnit: number[] = [];
  for (let chunk = 0; chunk < CHUNKS_PER_READING; chunk++) {
    perUnit.push(cpuUsOf(() => burnCpu(UNITS_PER_CHUNK)) / UNITS_PER_CHUNK);
  }
  return quantile(perUnit, READING_QUANTILE);
}
