/**
 * The runner's failure handling, with fake servers (test/fixtures/bench-fake-server.mjs) and a
 * fake load generator: a server that exits at start-up, one that hangs on shutdown, one that
 * crashes mid-run. Each becomes a failed point with its stderr, and the run goes on. Then the
 * real thing interrupted with SIGINT: no server process is left behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { liveChildCount, startChild } from '../lib/child-process.js';
import { planPoints } from '../bench/shared/plan.js';
import { listProcessTree } from '../lib/process-tree.js';
import { findPattern, findWorkload } from '../bench/shared/scenarios.js';
import { DEFAULT_RUNNER_TIMINGS, runSuite, type LoadRunner, type RunnerSettings } from '../bench/run/runner.js';
import type { LoadOptions, LoadResult } from '../loadgen/types.js';
import { isAlive } from '../lib/process-tree.js';
import { launchServer } from '../servers/launch.js';

const FAKE_SERVER = fileURLToPath(new URL('../../test/fixtures/bench-fake-server.mjs', import.meta.url));
const BENCH_MAIN = fileURLToPath(new URL('../bench/run/main.js', import.meta.url));

function describeProcess(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

function cannedLoad(options: LoadOptions): LoadResult {
  const requests = Math.round(1000 * options.durationS);
  const latency = { p50: 100, p90: 150, p99: 300, p999: 500, max: 900, mean: 120 };
  return {
    mode: options.mode,
    protocol: options.protocol,
    host: options.host,
    port: options.port,
    connections: options.connections,
    pipeline: options.pipeline,
    threads: 1,
    durationS: options.durationS,
    requests,
    throughput: requests / options.durationS,
    latencyUs: latency,
    errors: { wrongAnswers: 0, connectErrors: 0, resets: 0, timeouts: 0, unansweredConnections: 0 },
    errorTotal: 0,
    perSecond: { answers: [requests], errors: [0] },
    saturated: false,
    loadgenCpu: { cpuSeconds: 0.1, maxThreadCoreFraction: 0.1, maxEventLoopUtilization: 0.1 },
    histogram: '',
  };
}

/** Waits as long as a real run would, then reports canned figures. */
const fakeLoad: LoadRunner = async (options) => {
  await sleep(options.durationS * 1000);
  return cannedLoad(options);
};

describe('runner failure handling', () => {
  it('records a server that exits at start-up, hangs on stop or crashes mid-run, and goes on', async () => {
    const launchedPids: number[] = [];
    const settings: RunnerSettings = {
      ...DEFAULT_RUNNER_TIMINGS,
      stopTimeoutMs: 500,
      launch: async (options) => {
        // The architecture name picks the fake's behaviour.
        const server = await launchServer({
          ...options,
          entry: FAKE_SERVER,
          env: { ...process.env, FAKE_SERVER_BEHAVIOUR: options.architecture },
        });
        launchedPids.push(server.pid);
        return server;
      },
      runLoad: fakeLoad,
      loadgenPid: () => 0,
      serverCommandPrefix: [],
      workers: undefined,
    };
    const workload = findWorkload('none');
    const pattern = findPattern('persistent');
    assert.ok(workload && pattern);
    const points = planPoints({
      architectures: ['exit-at-start', 'hang-on-stop', 'crash-mid-run', 'exit-1-on-stop', 'well-behaved'],
      workloads: [workload],
      patterns: [pattern],
      connections: [4],
      warmupS: 0.1,
      durationS: 0.5,
    });
    const finished: string[] = [];
    const results = await runSuite(points, 1, settings, {
      onDone: (progress) => finished.push(progress.point.architecture),
    });
    assert.deepEqual(finished, ['exit-at-start', 'hang-on-stop', 'crash-mid-run', 'exit-1-on-stop', 'well-behaved']);
    const byArchitecture = new Map(results.map((point) => [point.architecture, point.repetitions[0]]));

    const exited = byArchitecture.get('exit-at-start');
    assert.equal(exited?.status, 'failed');
    assert.equal(exited?.failure?.stage, 'start');
    assert.match(exited?.failure?.stderrTail ?? '', /cannot open the frobnicator/);
    assert.equal(exited?.load, null);

    const hung = byArchitecture.get('hang-on-stop');
    assert.equal(hung?.status, 'failed');
    assert.equal(hung?.failure?.stage, 'stop');
    assert.match(hung?.failure?.message ?? '', /did not exit within 500 ms of SIGTERM and was killed/);
    assert.match(hung?.failure?.stderrTail ?? '', /ignoring SIGTERM/);
    assert.ok(hung?.load !== null, 'the measured figures are kept');
    assert.equal(hung?.server?.exit?.graceful, false);

    const crashed = byArchitecture.get('crash-mid-run');
    assert.equal(crashed?.status, 'failed');
    assert.equal(crashed?.failure?.stage, 'crash');
    assert.match(crashed?.failure?.message ?? '', /code 70/);
    assert.match(crashed?.failure?.stderrTail ?? '', /deliberate crash/);

    const badExit = byArchitecture.get('exit-1-on-stop');
    assert.equal(badExit?.status, 'failed');
    assert.equal(badExit?.failure?.stage, 'stop');
    assert.match(badExit?.failure?.message ?? '', /exited with code 1 after SIGTERM instead of 0/);
    assert.match(badExit?.failure?.stderrTail ?? '', /shutdown went wrong/);

    const good = byArchitecture.get('well-behaved');
    assert.equal(good?.status, 'ok', JSON.stringify(good?.failure));
    assert.deepEqual(good?.server?.exit, { code: 0, signal: null, graceful: true });
    assert.ok((good?.server?.peakRssBytes ?? 0) > 1024 * 1024, 'RSS of the fake server was sampled');
    assert.equal(good?.server?.processCount, 1);
    assert.ok((good?.phasesS.measure ?? 0) >= 0.45);

    assert.equal(results.find((point) => point.architecture === 'well-behaved')?.summary?.failed, false);
    assert.equal(results.find((point) => point.architecture === 'hang-on-stop')?.summary?.failed, true);
    assert.equal(results.find((point) => point.architecture === 'exit-at-start')?.summary, null);
    assert.equal(liveChildCount(), 0);
    assert.equal(launchedPids.length, 4);
    for (const pid of launchedPids) assert.equal(isAlive(pid), false, `server ${pid} is gone`);
  });

  it('hands each round’s interval histograms of our generator’s points to saveIntervals, not to the results', async () => {
    const saved: string[] = [];
    const asked: boolean[] = [];
    const intervals = { windowStartEpochMs: 0, bucketMs: 100, windowMs: 200, histograms: ['', ''] };
    const settings: RunnerSettings = {
      ...DEFAULT_RUNNER_TIMINGS,
      launch: (options) =>
        launchServer({
          ...options,
          entry: FAKE_SERVER,
          env: { ...process.env, FAKE_SERVER_BEHAVIOUR: 'well-behaved' },
        }),
      runLoad: async (request) => {
        asked.push(request.keepIntervals === true);
        const load = await fakeLoad(request, {});
        return request.keepIntervals === true ? { ...load, intervals } : load;
      },
      loadgenPid: () => 0,
      serverCommandPrefix: [],
      workers: undefined,
      saveIntervals: (point, repetition, kept) => {
        assert.equal(kept, intervals);
        saved.push(`${point.id} r${repetition}`);
      },
    };
    const workload = findWorkload('none');
    const pattern = findPattern('persistent');
    assert.ok(workload && pattern);
    const [ours] = planPoints({
      architectures: ['well-behaved'],
      workloads: [workload],
      patterns: [pattern],
      connections: [2],
      warmupS: 0,
      durationS: 0.1,
    });
    assert.ok(ours);
    // autocannon keeps no intervals: its point is not asked for them.
    const theirs = {
      ...ours,
      id: `${ours.id}/http@autocannon`,
      protocol: 'http' as const,
      instrument: 'autocannon' as const,
    };
    const results = await runSuite([ours, theirs], 2, settings);
    assert.deepEqual(saved, [`${ours.id} r1`, `${ours.id} r2`]);
    assert.deepEqual(asked.filter(Boolean).length, 2);
    for (const point of results) {
      for (const repetition of point.repetitions) {
        assert.equal(repetition.status, 'ok', JSON.stringify(repetition.failure));
        assert.equal(repetition.load?.intervals, undefined, 'the results file keeps no intervals');
      }
    }
    assert.equal(liveChildCount(), 0);
  });

  it('stops the running server and exits 130 when the bench is interrupted', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'zenbench-interrupt-'));
    after(() => rmSync(out, { recursive: true, force: true }));
    const bench = startChild({
      command: [
        process.execPath,
        BENCH_MAIN,
        '--servers',
        'cluster',
        '--workloads',
        'none',
        '--patterns',
        'persistent',
        '--connections',
        '2',
        '--duration',
        '20',
        '--quiet',
        '--out',
        out,
      ],
      keepOutput: true,
    });
    const exited = bench.exited.then((exit) => exit.code);
    const stderr = (): string => bench.stderr();
    const benchPid = bench.pid;
    try {
      // Wait (bounded) until the cluster server is up: primary and its workers below the bench.
      let seen: number[] = [];
      for (let attempt = 0; attempt < 100 && seen.length < 4; attempt++) {
        await sleep(100);
        seen = listProcessTree(benchPid);
      }
      assert.ok(seen.length >= 4, `bench, cluster primary and workers running (saw ${seen.length}): ${stderr()}`);
      await sleep(300);
      const everything = listProcessTree(benchPid);
      bench.signal('SIGINT');
      const code = await Promise.race([exited, sleep(15_000, 'timeout' as const, { ref: false })]);
      assert.equal(code, 130, stderr());
      // A cluster worker may outlive its primary by a moment; give them a bounded while.
      const alive = (): number[] => everything.filter(isAlive);
      for (let attempt = 0; attempt < 50 && alive().length > 0; attempt++) await sleep(100);
      assert.deepEqual(alive().map(describeProcess), []);
    } finally {
      for (const pid of listProcessTree(benchPid).reverse()) process.kill(pid, 'SIGKILL');
    }
  });
});
