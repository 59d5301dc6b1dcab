/**
 * The open-loop sweeps: capacity at the objective on synthetic sweeps (clear, level, off the
 * ends, a generator-limited step not counted), the stopping rule, the plan's step ids and
 * order, and the writers on a fixture.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseBenchOptions } from '../bench/run/bench-options.js';
import { roundOrder, runSuite, type RunnerSettings, type RunningServer } from '../bench/run/runner.js';
import {
  capacitiesOf,
  failedClearly,
  judgeCapacities,
  nearKneePointIds,
  stepOutcome,
} from '../bench/report/open-capacity.js';
import { buildCapacityVerdictRows, buildOpenSections, tailSentence } from '../bench/report/open-tables.js';
import { buildOpenCharts } from '../bench/report/open-charts.js';
import { summarizeRepetitions } from '../bench/report/point-summary.js';
import {
  FORMAT_VERSION,
  type BenchResults,
  type PointResult,
  type RepetitionResult,
} from '../bench/report/results-format.js';
import { writeResults } from '../bench/report/write-results.js';
import { planPoints, stepId, SWEEP_FIRST_WARMUP_S } from '../bench/shared/plan.js';
import type { LoadResult } from '../loadgen/types.js';

const ARCHITECTURES = ['blocking', 'pool', 'cluster', 'async'];
const RATES = [1000, 2000, 4000, 8000];
const OBJECTIVE_MS = 20;

interface StepFigures {
  /** Achieved as a fraction of offered. */
  kept?: number;
  p99Ms: number;
  saturated?: boolean;
  lagMs?: number;
  errors?: number;
}

function load(rate: number, figures: StepFigures): LoadResult {
  const p99 = figures.p99Ms * 1000;
  return {
    mode: 'open',
    throughput: rate * (figures.kept ?? 1),
    requests: rate,
    targetRate: rate,
    scheduledRate: rate,
    achievedRate: rate * (figures.kept ?? 1),
    scheduleLagUs: (figures.lagMs ?? 1) * 1000,
    latencyUs: { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 3 },
    errors: { wrongAnswers: 0, connectErrors: 0, resets: 0, timeouts: figures.errors ?? 0, unansweredConnections: 0 },
    errorTotal: figures.errors ?? 0,
    saturated: figures.saturated ?? false,
  } as unknown as LoadResult;
}

function repetitionOf(round: number, rate: number, figures: StepFigures): RepetitionResult {
  return {
    repetition: round,
    status: 'ok',
    failure: null,
    load: load(rate, figures),
    server: null,
    machine: null,
    wallS: 1,
    phasesS: { start: 0, warmup: 0, measure: 1, stop: 0 },
  };
}

/** One architecture's sweep: per rate, per round, the figures (null: not measured that round). */
function sweep(architecture: string, byRate: readonly (readonly (StepFigures | null)[])[]): PointResult[] {
  return RATES.map((rate, index) => {
    const repetitions = (byRate[index] ?? []).flatMap((figures, round) =>
      figures === null ? [] : [repetitionOf(round + 1, rate, figures)],
    );
    return {
      id: stepId(architecture, 'cpu-tail', 16, rate),
      architecture,
      runtime: 'node20',
      node: 'v20.20.2',
      protocol: 'tcp',
      instrument: 'zenbench',
      workload: { name: 'cpu-tail', label: 'CPU with a tail', cpuUs: 149, ioMs: 0 },
      pattern: { name: 'open', label: 'open loop', mode: 'open', pipeline: 1, questions: 3, arrivals: 'poisson' },
      connections: 16,
      warmupS: 0.2,
      durationS: 0.4,
      repetitions,
      summary: summarizeRepetitions(repetitions),
      open: { rate, objectiveP99Ms: OBJECTIVE_MS, arrivals: 'poisson' },
    };
  });
}

const ok = (p99Ms: number): StepFigures => ({ p99Ms });
const late = (p99Ms: number): StepFigures => ({ p99Ms });
/** Four rounds alike. */
const four = (figures: StepFigures | null): (StepFigures | null)[] => [figures, figures, figures, figures];

function capacityOf(points: readonly PointResult[], architecture: string) {
  const found = capacitiesOf(points).find((capacity) => capacity.architecture === architecture);
  assert.ok(found, architecture);
  return found;
}

describe('capacity at the objective', () => {
  it('is the highest offered rate kept up within the objective, per round, then the median and its interval', () => {
    const pool = sweep('pool', [four(ok(2)), four(ok(5)), four(ok(15)), four(late(60))]);
    const async = sweep('async', [four(ok(4)), four(late(30)), four(late(90)), four(null)]);
    const points = [...pool, ...async];
    assert.deepEqual(capacityOf(points, 'pool').perRound, [4000, 4000, 4000, 4000]);
    assert.equal(capacityOf(points, 'async').median, 1000);
    const [verdict] = judgeCapacities(capacitiesOf(points));
    assert.equal(verdict?.best, 'pool');
    const [row] = buildCapacityVerdictRows({ points } as BenchResults);
    assert.equal(row?.[4], 'pool');
    assert.match(row?.[2] ?? '', /p99 ≤ 20 ms/);
    assert.equal(row?.[6], 'pool > async');
  });

  it('says "level" where the capacities\' intervals overlap', () => {
    const pool = sweep('pool', [four(ok(2)), four(ok(5)), [ok(9), late(25), ok(9), late(25)], four(late(60))]);
    const cluster = sweep('cluster', [four(ok(2)), four(ok(5)), [late(25), ok(9), ok(9), late(25)], four(late(60))]);
    const [verdict] = judgeCapacities(capacitiesOf([...pool, ...cluster]));
    assert.equal(verdict?.best, null);
    assert.deepEqual(verdict?.level, ['pool', 'cluster']);
    assert.deepEqual(capacityOf(pool, 'pool').interval, { low: 2000, high: 4000 });
  });

  it('reports the sweep\'s ends as "<lowest" and "≥highest"', () => {
    const none = sweep('blocking', [four(late(50)), four(null), four(null), four(null)]);
    const all = sweep('cluster', [four(ok(1)), four(ok(1)), four(ok(2)), four(ok(3))]);
    const sections = buildOpenSections({ points: [...none, ...all] } as BenchResults);
    const rows = sections[0]?.capacityRows ?? [];
    assert.deepEqual(
      rows.map((cells) => [cells[0], cells[1]]),
      [
        ['cluster', '≥8,000'],
        ['blocking', '<1,000'],
      ],
    );
  });

  it('does not count a step where the generator was saturated or fell behind its schedule', () => {
    const saturatedTop = sweep('async', [four(ok(1)), four(ok(2)), four({ p99Ms: 3, saturated: true }), four(null)]);
    const capacity = capacityOf(saturatedTop, 'async');
    assert.equal(capacity.median, 2000);
    assert.deepEqual(capacity.generatorLimitedRates, [4000]);
    const lagging = repetitionOf(1, 4000, { p99Ms: 3, lagMs: OBJECTIVE_MS + 1 });
    assert.equal(stepOutcome(lagging, OBJECTIVE_MS), 'generator-limited');
    assert.equal(stepOutcome(repetitionOf(1, 4000, { p99Ms: 3, lagMs: 2 }), OBJECTIVE_MS), 'met');
  });

  it('does not count a step that fell short of the offered rate or had errors', () => {
    assert.equal(stepOutcome(repetitionOf(1, 4000, { p99Ms: 3, kept: 0.97 }), OBJECTIVE_MS), 'missed');
    assert.equal(stepOutcome(repetitionOf(1, 4000, { p99Ms: 3, errors: 1 }), OBJECTIVE_MS), 'missed');
    assert.equal(stepOutcome(undefined, OBJECTIVE_MS), 'not measured');
  });

  it('names the steps around each knee for the over-time charts', () => {
    const pool = sweep('pool', [four(ok(2)), four(ok(5)), four(late(60)), four(null)]);
    const blocking = sweep('blocking', [four(late(60)), four(null), four(null), four(null)]);
    assert.deepEqual(nearKneePointIds([...pool, ...blocking]), [
      'pool/cpu-tail/open/c16/r2000',
      'pool/cpu-tail/open/c16/r4000',
      'blocking/cpu-tail/open/c16/r1000',
    ]);
  });

  it("puts the tail in words only where async's p99 interval clears pool's and cluster's", () => {
    const clear = [
      ...sweep('pool', [four(ok(5)), four(ok(6)), four(null), four(null)]),
      ...sweep('cluster', [four(ok(5)), four(ok(7)), four(null), four(null)]),
      ...sweep('async', [four(ok(6)), four(late(40)), four(null), four(null)]),
    ];
    assert.match(tailSentence(clear, OBJECTIVE_MS) ?? '', /at 2,000\/s async's p99 was 40(\.0+)? ms against pool's 6/);
    const overlapping = [
      ...sweep('pool', [[ok(5), ok(30), ok(5), ok(30)], four(null), four(null), four(null)]),
      ...sweep('cluster', [four(ok(5)), four(null), four(null), four(null)]),
      ...sweep('async', [four(late(25)), four(null), four(null), four(null)]),
    ];
    assert.equal(tailSentence(overlapping, OBJECTIVE_MS), null);
    const once = [
      ...sweep('pool', [four(ok(5)), four(null), four(null), four(null)]),
      ...sweep('cluster', [four(ok(5)), four(null), four(null), four(null)]),
      ...sweep('async', [[late(90), null, null, null], four(null), four(null), four(null)]),
    ];
    assert.equal(tailSentence(once, OBJECTIVE_MS), null, 'one round of async is no interval');
  });
});

describe('the stopping rule', () => {
  it('calls a step clearly failed below 90% of offered or at p99 beyond 10 times the objective', () => {
    assert.equal(failedClearly(repetitionOf(1, 4000, { p99Ms: 30, kept: 0.95 }), OBJECTIVE_MS), false);
    assert.equal(failedClearly(repetitionOf(1, 4000, { p99Ms: 30, kept: 0.85 }), OBJECTIVE_MS), true);
    assert.equal(failedClearly(repetitionOf(1, 4000, { p99Ms: 250 }), OBJECTIVE_MS), true);
  });

  it("skips an architecture's higher rates in the round once it failed clearly, and only its own", async () => {
    const options = parseBenchOptions(
      ['--suite', 'latency', '--servers', 'pool,async', '--workloads', 'cpu-tail', '--protocols', 'tcp'],
      ['pool', 'async'],
    );
    const points = planPoints(options);
    const asked: string[] = [];
    const server = (port: number): RunningServer =>
      ({
        pid: 0,
        host: '127.0.0.1',
        port,
        child: { once: () => undefined, exitCode: null, signalCode: null },
        stderrTail: () => '',
        stop: () => Promise.resolve({ code: 0, signal: null, graceful: true }),
      }) as unknown as RunningServer;
    const settings: RunnerSettings = {
      launch: (launch) => Promise.resolve(server(launch.architecture === 'pool' ? 1 : 2)),
      runLoad: (request) => {
        asked.push(`${request.port === 1 ? 'pool' : 'async'} ${request.rate} seed ${request.seed}`);
        const collapses = request.port === 2 && request.rate >= 4000;
        return Promise.resolve(load(request.rate, collapses ? { p99Ms: 500, kept: 0.5 } : ok(3)));
      },
      serverCommandPrefix: [],
      loadgenPid: () => 0,
      startTimeoutMs: 1000,
      stopTimeoutMs: 1000,
      questionTimeoutMs: 1000,
      loadgenThreads: 1,
      rssSampleIntervalMs: 1000,
    };
    const results = await runSuite(points, 1, settings);
    assert.deepEqual(asked, [
      'pool 2000 seed 1',
      'async 2000 seed 1',
      'pool 2800 seed 1',
      'async 2800 seed 1',
      'pool 4000 seed 1',
      'async 4000 seed 1',
      'pool 5600 seed 1',
      'pool 8000 seed 1',
    ]);
    const skipped = results.find((point) => point.id === 'async/cpu-tail/open/c16/r5600');
    assert.equal(skipped?.repetitions.length, 0);
    assert.equal(results.find((point) => point.id === 'pool/cpu-tail/open/c16/r8000')?.open?.arrivals, 'poisson');
  });
});

describe('the sweep plan', () => {
  it('has step ids with the rate, rates ascending, architectures side by side, rotated by round', () => {
    const points = planPoints(parseBenchOptions(['--patterns', 'open'], ARCHITECTURES));
    assert.deepEqual(
      points.slice(0, 5).map((point) => point.id),
      [
        'blocking/cpu-tail/open/c16/r2000',
        'pool/cpu-tail/open/c16/r2000',
        'cluster/cpu-tail/open/c16/r2000',
        'async/cpu-tail/open/c16/r2000',
        'blocking/cpu-tail/open/c16/r2800',
      ],
    );
    const second = roundOrder(points, 2).flat();
    assert.deepEqual(
      second.slice(0, 4).map((point) => point.architecture),
      ['pool', 'cluster', 'async', 'blocking'],
    );
    assert.equal(second[4]?.open?.rate, 2800);
  });

  it('--suite latency sweeps every workload with a sweep over TCP and HTTP; --slo-p99-ms overrides the objectives', () => {
    const options = parseBenchOptions(['--suite', 'latency', '--slo-p99-ms', '7.5'], ARCHITECTURES);
    const points = planPoints(options);
    assert.ok(points.every((point) => point.open?.objectiveP99Ms === 7.5));
    assert.deepEqual(
      [...new Set(points.map((point) => `${point.workload.name}${point.protocol === 'http' ? '/http' : ''}`))],
      ['none', 'cpu', 'io', 'cpu-tail', 'none/http', 'cpu/http', 'io/http', 'cpu-tail/http'],
    );
    assert.ok(points.some((point) => point.id === 'async/io/open/c128/r250/http@zenbench'));
    assert.ok(points.every((point) => point.instrument === 'zenbench'));
  });

  it("warms a fresh server longer at the sweep's first rate, and only there", () => {
    const options = parseBenchOptions(['--patterns', 'open'], ARCHITECTURES);
    const points = planPoints(options);
    for (const point of points) {
      const first = point.open?.rate === point.workload.sweep?.rates[0];
      assert.equal(point.warmupS, first ? SWEEP_FIRST_WARMUP_S : options.warmupS, point.id);
    }
    assert.ok(SWEEP_FIRST_WARMUP_S > options.warmupS);
  });

  it('--patterns without open leaves the sweeps out', () => {
    const points = planPoints(parseBenchOptions(['--patterns', 'persistent'], ARCHITECTURES));
    assert.ok(points.length > 0 && points.every((point) => point.open === undefined));
  });
});

describe('the writers', () => {
  it('write the capacity table, the steps and both charts of a sweep', async () => {
    const points = [
      ...sweep('pool', [four(ok(5)), four(ok(6)), four(late(60)), four(null)]),
      ...sweep('async', [four(ok(6)), four(late(40)), four(null), four(null)]),
    ];
    const results = {
      formatVersion: FORMAT_VERSION,
      runToRun: null,
      tool: 'zenbench',
      startedAt: '2026-11-23T00:00:00.000Z',
      finishedAt: '2026-11-23T00:01:00.000Z',
      environment: {
        node: 'v20',
        v8: '11',
        platform: 'linux',
        arch: 'x64',
        os: 'Linux',
        kernel: '6',
        cpuModel: 'test',
        cores: 2,
        totalMemoryBytes: 2 ** 30,
        hostname: 'test',
        gitCommit: null,
        gitDirty: null,
      },
      options: {
        suite: 'latency',
        architectures: ['pool', 'async'],
        workloads: [],
        patterns: [],
        connections: [],
        warmupS: 0.2,
        durationS: 0.4,
        repeat: 4,
        workers: null,
        pin: { requested: false, applied: false, serverCpus: null, loadgenCpus: null },
        argv: [],
        node: null,
        open: { workloads: ['cpu-tail'], protocols: ['tcp'], arrivals: 'poisson', objectiveP99Ms: null },
      },
      rounds: [],
      points,
    } as BenchResults;
    assert.deepEqual(
      buildOpenCharts(results).map((chart) => chart.file),
      ['open-latency-cpu-tail-open.svg', 'open-achieved-cpu-tail-open.svg'],
    );
    const out = mkdtempSync(path.join(tmpdir(), 'zenbench-open-'));
    try {
      const written = await writeResults(results, out);
      const markdown = readFileSync(written.markdown, 'utf8');
      assert.match(markdown, /\| TCP \| CPU with a tail \| open loop: capacity at p99 ≤ 20 ms \| 16 \| pool \|/);
      assert.match(markdown, /\| pool \| 2,000 \| 2,000, 2,000, 2,000, 2,000 \| – \|/);
      assert.match(markdown, /charts\/open-latency-cpu-tail-open\.svg/);
      assert.match(markdown, /\| async \| 8,000 \| – \| – \| – \| not reached \|/);
      const html = readFileSync(written.html, 'utf8');
      assert.match(html, /<svg/);
      assert.match(html, /capacity at p99 ≤ 20 ms/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
