/**
 * The physics the suite exists to show, each guarded by a short real run (real servers, the
 * real load generator in its own process): under I/O-bound work async and cluster beat
 * blocking by a wide margin; under CPU-bound work pool and cluster scale with the cores there
 * are; with persistent connections the blocking server starves all but one connection.
 *
 * Thresholds are loose on purpose: the load generator shares the machine's cores with the
 * server (2 on the reference machine), and other work on a shared machine adds noise.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { LoadgenService } from '../loadgen/spawn-loadgen.js';
import { planPoints } from '../bench/shared/plan.js';
import type { PointResult } from '../bench/report/results-format.js';
import { DEFAULT_RUNNER_TIMINGS, runSuite, type RunnerSettings } from '../bench/run/runner.js';
import { findPattern, findWorkload, type Workload } from '../bench/shared/scenarios.js';
import { launchServer } from '../servers/launch.js';
import { serviceTimeMean } from '../servers/shared/service-time.js';
import { measureFreeCores, MIN_FREE_CORES } from './helpers/free-cores.js';

const CORES = os.availableParallelism();
const loadgen = new LoadgenService();
after(() => loadgen.stop());
const settings: RunnerSettings = {
  ...DEFAULT_RUNNER_TIMINGS,
  launch: launchServer,
  runLoad: (options, window) => loadgen.run(options, window),
  loadgenPid: () => loadgen.pid,
  serverCommandPrefix: [],
  workers: undefined,
};

/** Short points: 1.5 s measured, because the load generator calls a connection starved after 1 s unanswered. */
async function measure(
  architectures: string[],
  workload: Workload,
  patternName: string,
  connections: number,
): Promise<Map<string, PointResult>> {
  const pattern = findPattern(patternName);
  assert.ok(pattern);
  const points = planPoints({
    architectures,
    workloads: [workload],
    patterns: [pattern],
    connections: [connections],
    warmupS: 0.3,
    durationS: 1.5,
  });
  const results = await runSuite(points, 1, settings);
  for (const point of results) {
    assert.equal(point.summary?.failed, false, `${point.id}: ${JSON.stringify(point.repetitions[0]?.failure)}`);
  }
  return new Map(results.map((point) => [point.architecture, point]));
}

/** The suite's own workloads, so that the test guards what `npm run bench` measures. */
function workload(name: string): Workload {
  const found = findWorkload(name);
  assert.ok(found);
  return found;
}

function throughput(results: Map<string, PointResult>, architecture: string): number {
  return results.get(architecture)?.summary?.throughput ?? 0;
}

describe(`bench physics (${CORES} cores)`, () => {
  describe('I/O-bound work (the io workload), 16 conversations at once', () => {
    let results = new Map<string, PointResult>();
    before(async () => {
      results = await measure(['blocking', 'async', 'cluster'], workload('io'), 'conversation', 16);
    });

    it('async and cluster beat blocking by a wide margin (at least 4x; ideally 16x)', () => {
      const blocking = throughput(results, 'blocking');
      assert.ok(blocking > 50, `blocking still serves, one conversation at a time (${blocking}/s)`);
      for (const architecture of ['async', 'cluster']) {
        const ratio = throughput(results, architecture) / blocking;
        assert.ok(
          ratio >= 4,
          `${architecture}: ${throughput(results, architecture).toFixed(0)}/s is ${ratio.toFixed(1)}x blocking's ${blocking.toFixed(0)}/s`,
        );
      }
    });
  });

  describe('CPU-bound work (the cpu workload), 8 persistent connections', () => {
    /*
     * Other work on a shared machine can take a core away for seconds at a time, and then
     * nothing scales. Scaling is measured up to 3 times, all four servers each time, and
     * shown once is shown: contention can hide it but hardly fake a 1.3x lead of both
     * multi-core servers over both single-core ones measured moments apart.
     */
    const MAX_ATTEMPTS = 3;
    const attempts: Map<string, PointResult>[] = [];
    let results = new Map<string, PointResult>();

    function ratios(measured: Map<string, PointResult>): { pool: number; cluster: number; oneCore: number } {
      const oneCore = Math.max(throughput(measured, 'blocking'), throughput(measured, 'async'));
      return {
        pool: throughput(measured, 'pool') / oneCore,
        cluster: throughput(measured, 'cluster') / oneCore,
        oneCore,
      };
    }
    const scales = (measured: Map<string, PointResult>): boolean => {
      const { pool, cluster } = ratios(measured);
      return pool >= 1.3 && cluster >= 1.3;
    };

    /** Cores two busy threads actually got just before each attempt. */
    const freeCores: number[] = [];

    before(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        freeCores.push(await measureFreeCores());
        const measured = await measure(['blocking', 'async', 'pool', 'cluster'], workload('cpu'), 'persistent', 8);
        attempts.push(measured);
        if (CORES < 2 || scales(measured)) break;
      }
      results = attempts[0] ?? results;
    });

    it(`pool and cluster scale with the ${CORES} cores; blocking and async use one`, (t) => {
      if (CORES < 2) return t.skip('needs 2 cores');
      // Ideal is min(cores, workers) = 2 on the reference machine; the load generator and
      // the pool's I/O thread take their share of the same cores.
      const seen = attempts.map((measured, index) => {
        const { pool, cluster, oneCore } = ratios(measured);
        return `pool ${pool.toFixed(2)}x, cluster ${cluster.toFixed(2)}x of one core's ${oneCore.toFixed(0)}/s (${freeCores[index]?.toFixed(2)} cores free)`;
      });
      if (!attempts.some(scales) && Math.max(...freeCores) < MIN_FREE_CORES) {
        // Not a pass: the machine never had the cores free that scaling needs.
        return t.skip(`other work left fewer than ${MIN_FREE_CORES} of ${CORES} cores free: ${seen.join('; ')}`);
      }
      assert.ok(attempts.some(scales), `on ${CORES} cores, in ${attempts.length} attempts: ${seen.join('; ')}`);
    });

    it('CPU time per answer is counted over the whole process tree (cluster workers, pool threads)', () => {
      for (const architecture of ['blocking', 'async', 'pool', 'cluster']) {
        const cpu = results.get(architecture)?.summary?.cpuUsPerAnswer ?? 0;
        const work = serviceTimeMean(workload('cpu').cpuUs);
        assert.ok(cpu >= 0.7 * work, `${architecture}: ${cpu.toFixed(0)} µs of CPU per answer of ${work} µs of work`);
      }
      assert.ok(
        (results.get('cluster')?.repetitions[0]?.server?.processCount ?? 0) >= 2,
        'cluster primary and workers',
      );
    });

    it('with persistent connections the blocking server answers one connection and starves the rest', () => {
      assert.equal(results.get('blocking')?.summary?.starvedConnections, 7);
      for (const architecture of ['async', 'pool', 'cluster']) {
        assert.equal(results.get(architecture)?.summary?.starvedConnections, 0, architecture);
      }
    });
  });
});
