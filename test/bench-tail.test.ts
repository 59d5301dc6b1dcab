/**
 * The physics of a service-time tail, guarded by a short real run: under the cpu-tail workload
 * (most questions cheap, a few 100 times dearer), at the same moderate offered rate in open
 * loop, the async server's p99 over all its traffic is above the pool's and the cluster's.
 * On one event loop every cheap question that arrives while a dear one burns waits for it; a
 * pool thread or a second process keeps the cheap ones moving.
 *
 * Open loop, because a closed loop would hold its questions back while the server is stuck and
 * so hide the wait (docs/load.md). The rate is one the async server sustains on average (about
 * 40% of 1 / the mean cost), so it is the tail, not an overload, that makes its p99.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { findWorkload } from '../bench/shared/scenarios.js';
import { DEFAULT_LOAD_OPTIONS } from '../loadgen/load-options.js';
import { LoadgenService } from '../loadgen/spawn-loadgen.js';
import type { LoadResult } from '../loadgen/types.js';
import { launchServer } from '../servers/launch.js';
import { measureFreeCores, MIN_FREE_CORES } from './helpers/free-cores.js';

const CORES = os.availableParallelism();
const RATE = 2500;
const CONNECTIONS = 16;
/**
 * async's p99 against the better of pool's and cluster's. Measured on the 2-core reference
 * machine with nothing else running (docs/server.md): 1.5x and 1.6x. Not more on 2 cores: the
 * pool's and the cluster's second core is shared with the load generator, and a cluster's
 * workers are event loops too, each with half the traffic behind its own dear questions.
 */
const MIN_RATIO = 1.2;
/** Noise can take a core away for seconds: shown once in this many attempts is shown. */
const MAX_ATTEMPTS = 3;
const ARCHITECTURES = ['async', 'pool', 'cluster'] as const;

const loadgen = new LoadgenService();
after(() => loadgen.stop());

const tail = findWorkload('cpu-tail');

async function measure(architecture: string): Promise<LoadResult> {
  assert.ok(tail);
  const server = await launchServer({ architecture, workers: 2, cpuUs: tail.cpuUs, ioMs: tail.ioMs });
  try {
    return await loadgen.run({
      ...DEFAULT_LOAD_OPTIONS,
      host: server.host,
      port: server.port,
      mode: 'open',
      rate: RATE,
      connections: CONNECTIONS,
      warmupS: 0.3,
      durationS: 1.5,
    });
  } finally {
    await server.stop();
  }
}

describe(`a service-time tail (cpu-tail, open loop at ${RATE}/s over ${CONNECTIONS} connections)`, () => {
  it('async p99 is above the better of pool and cluster: cheap questions wait behind dear ones', async (t) => {
    if (CORES < 2) return t.skip('needs 2 cores');
    const seen: string[] = [];
    const freeCores: number[] = [];
    attempts: for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      freeCores.push(await measureFreeCores());
      const p99 = new Map<string, number>();
      for (const architecture of ARCHITECTURES) {
        const result = await measure(architecture);
        assert.equal(result.errorTotal, 0, `${architecture}: ${JSON.stringify(result.errors)}`);
        // Kept up on average, or the p99 would be a queue's, not the tail's: an attempt where
        // a slow spell of the machine held one back shows nothing either way.
        if ((result.achievedRate ?? 0) < 0.95 * RATE) {
          seen.push(`${architecture} sent ${result.achievedRate?.toFixed(0)}/s of ${RATE}/s`);
          t.diagnostic(seen.at(-1) ?? '');
          continue attempts;
        }
        p99.set(architecture, result.latencyUs.p99);
      }
      const asyncP99 = p99.get('async') ?? 0;
      const best = Math.min(p99.get('pool') ?? Infinity, p99.get('cluster') ?? Infinity);
      const ratio = asyncP99 / best;
      seen.push(
        `${ARCHITECTURES.map((name) => `${name} ${((p99.get(name) ?? 0) / 1000).toFixed(1)} ms`).join(', ')}: ` +
          `${ratio.toFixed(1)}x (${freeCores[attempt]?.toFixed(2)} cores free)`,
      );
      t.diagnostic(`p99 ${seen.at(-1)}`);
      if (ratio >= MIN_RATIO) return;
    }
    if (Math.max(...freeCores) < MIN_FREE_CORES) {
      // Not a pass: the machine never had the cores free that the pool and cluster need.
      return t.skip(`other work left fewer than ${MIN_FREE_CORES} of ${CORES} cores free: ${seen.join('; ')}`);
    }
    assert.fail(
      `async p99 not ${MIN_RATIO}x the better of pool and cluster in ${MAX_ATTEMPTS} attempts: ${seen.join('; ')}`,
    );
  });
});
