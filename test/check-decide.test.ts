/**
 * The regression check's decision on synthetic measurements: no server is started. A fake
 * measurer stands in for the servers, so the whole flow (first look, re-measure, verdict,
 * exit code) runs in milliseconds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BASELINE_FORMAT_VERSION,
  parseBaseline,
  BaselineError,
  type BaselineFile,
  type BaselinePoint,
} from '../bench/check/baseline.js';
import { costPerCpuUs, injectionFor, runCheck, type CheckRequest } from '../bench/check/check.js';
import { compare, outcomeOf, thresholdFor, verdictFor } from '../bench/check/decide.js';
import { renderReport } from '../bench/check/check-report.js';
import { parsePerfCsv } from '../bench/check/instructions.js';
import {
  MeasurementError,
  type RepetitionOutcome,
  type RepetitionRequest,
  type RepetitionResult,
} from '../bench/check/measure.js';
import { chooseMetric, METRICS, type CostMetric } from '../bench/check/metrics.js';
import type { MetricProbe } from '../bench/check/probe.js';
import { checkPoints, settingsFingerprint, CHECK_SETTINGS, type CheckWorkload } from '../bench/check/check-points.js';
import { median, quantile, quietFigure, relativeSpread } from '../lib/stats.js';

const POLICY = { multiple: 4, floor: 0.04 };
const CPU_ONLY: MetricProbe = { measurable: ['normalised-cpu'], notes: ['instructions unavailable: test'] };
const WORKLOADS: CheckWorkload[] = [
  { name: 'no-work', cpuUs: 0, answersPerChunk: 100 },
  { name: 'cpu-50', cpuUs: 50, answersPerChunk: 50 },
];
const ARCHITECTURES = ['async', 'pool'];
const SETTINGS = { ...CHECK_SETTINGS, repetitions: 5 };

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-check-decide-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

/** Values around `center` with about `spread` relative scatter, deterministic. */
function scattered(center: number, spread: number, count: number): number[] {
  const pattern = [0, 1, -1, 0.5, -0.5, 1.5, -1.5, 0.25, -0.25, 0.75];
  return Array.from({ length: count }, (_, index) => center * (1 + spread * (pattern[index % pattern.length] ?? 0)));
}

function baselinePoint(id: string, cost: number, metric: CostMetric = 'normalised-cpu'): BaselinePoint {
  const [architecture = '', workload = ''] = id.split('/');
  const values = scattered(cost, 0.01, 10);
  return {
    id,
    architecture,
    workload: {
      name: workload,
      cpuUs: workload === 'cpu-50' ? 50 : 0,
      answersPerChunk: workload === 'cpu-50' ? 50 : 100,
    },
    metrics: { [metric]: { figure: quietFigure(values), values, spread: relativeSpread(values) } },
    cpuUsPerAnswer: cost,
    throughput: 20_000,
    latencyP50Us: 40,
    latencyP99Us: 90,
  };
}

const COSTS: Record<string, number> = {
  'async/no-work/persistent/c1': 12,
  'async/cpu-50/persistent/c1': 87,
  'pool/no-work/persistent/c1': 45,
  'pool/cpu-50/persistent/c1': 120,
};

function syntheticBaseline(metric: CostMetric = 'normalised-cpu'): BaselineFile {
  return {
    tool: 'zenbench',
    kind: 'regression-baseline',
    baselineFormatVersion: BASELINE_FORMAT_VERSION,
    recordedAt: '2026-01-01T00:00:00.000Z',
    environment: {
      node: 'v20',
      v8: '11',
      platform: 'linux',
      arch: 'x64',
      os: 'test',
      kernel: 'test',
      cpuModel: 'test',
      cores: 2,
      totalMemoryBytes: 1,
      hostname: 'test',
      gitCommit: null,
      gitDirty: null,
    },
    settings: SETTINGS,
    settingsFingerprint: settingsFingerprint(SETTINGS, WORKLOADS),
    metrics: [metric],
    referenceUsPerUnit: 1,
    points: Object.entries(COSTS).map(([id, cost]) => baselinePoint(id, cost, metric)),
  };
}

function writeJson(name: string, data: unknown): string {
  const file = path.join(temporary, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

/**
 * A measurer that answers each point's cost from `costFor(pointId, attempt)` with 1% scatter,
 * and counts how often each point was measured.
 */
function fakeMeasurer(costFor: (id: string, attempt: number) => number) {
  const calls = new Map<string, number>();
  const measureOne = (request: RepetitionRequest): RepetitionResult => {
    const attempt = calls.get(request.point.id) ?? 0;
    calls.set(request.point.id, attempt + 1);
    const cost = costFor(request.point.id, attempt) * (1 + 0.01 * Math.sin(attempt * 1.7));
    return {
      pointId: request.point.id,
      metrics: { 'normalised-cpu': cost },
      chunkCpuUsPerAnswer: [cost],
      cpuUsPerAnswer: cost,
      referenceUsPerUnit: 1,
      impreciseChunks: 0,
      throughput: 20_000,
      latencyP50Us: 40,
      latencyP99Us: 90,
      loadgenSaturated: false,
      extraCpuUs: request.extraCpuUs,
    };
  };
  const measure = async (requests: readonly RepetitionRequest[]): Promise<RepetitionOutcome[]> =>
    requests.map(measureOne);
  return { measure, measureOne, calls };
}

function request(baselinePath: string, overrides: Partial<CheckRequest> = {}): CheckRequest {
  return {
    baselinePath,
    settings: SETTINGS,
    workloads: WORKLOADS,
    architectures: ARCHITECTURES,
    injectPct: 0,
    extraCpuUs: 0,
    probe: CPU_ONLY,
    ...overrides,
  };
}

const cost = (id: string): number => COSTS[id] ?? 1;

describe('statistics', () => {
  it('median, quantile and relative spread', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(quantile([10, 20, 30, 40, 50], 0.25), 20);
    assert.equal(relativeSpread([5]), 0);
    // One wild value does not move the spread of the rest.
    assert.ok(relativeSpread([10, 10.1, 9.9, 10, 50]) < 0.02);
  });
});

describe('decision on synthetic measurements', () => {
  const baseline = scattered(100, 0.02, 10);

  it('a clear regression is above the threshold, and confirmed when measured again', () => {
    const first = compare(baseline, scattered(120, 0.02, 5), POLICY);
    assert.equal(first.direction, 'higher');
    assert.ok(Math.abs(first.change - 0.2) < 0.01);
    const again = compare(baseline, scattered(119, 0.02, 5), POLICY);
    assert.equal(verdictFor(first, again), 'regression');
  });

  it('noise of a few percent stays within the threshold', () => {
    const comparison = compare(baseline, scattered(102, 0.03, 5), POLICY);
    assert.equal(comparison.direction, 'within');
    assert.equal(verdictFor(comparison, null), 'ok');
  });

  it('a point that looked regressed once and not again passes as not confirmed', () => {
    const first = compare(baseline, scattered(115, 0.02, 5), POLICY);
    const again = compare(baseline, scattered(101, 0.02, 5), POLICY);
    assert.equal(verdictFor(first, again), 'not-confirmed');
  });

  it('an improvement is reported, not failed', () => {
    const comparison = compare(baseline, scattered(80, 0.02, 5), POLICY);
    assert.equal(comparison.direction, 'lower');
    assert.equal(verdictFor(comparison, null), 'improved');
  });

  it('the threshold is the floor for quiet points and grows with the measured spread', () => {
    assert.equal(thresholdFor(scattered(100, 0, 10), scattered(100, 0, 5), POLICY).threshold, POLICY.floor);
    const noisy = thresholdFor(scattered(100, 0.1, 10), scattered(100, 0.1, 5), POLICY).threshold;
    assert.ok(noisy > 0.15, `threshold ${noisy}`);
    // The same 12% rise that is a regression on a quiet point is noise on a noisy one.
    assert.equal(compare(scattered(100, 0.1, 10), scattered(112, 0.1, 5), POLICY).direction, 'within');
    assert.equal(compare(scattered(100, 0.005, 10), scattered(112, 0.005, 5), POLICY).direction, 'higher');
  });

  it('a verdict on a suspect point without a second measurement is refused', () => {
    assert.throws(() => verdictFor(compare(baseline, scattered(150, 0.01, 5), POLICY), null));
  });

  it('exit codes: regression 1, unmeasured 2, otherwise 0', () => {
    assert.equal(
      outcomeOf([
        { id: 'a', verdict: 'ok' },
        { id: 'b', verdict: 'improved' },
        { id: 'c', verdict: 'not-confirmed' },
      ]).exitCode,
      0,
    );
    assert.equal(
      outcomeOf([
        { id: 'a', verdict: 'ok' },
        { id: 'b', verdict: 'regression' },
      ]).exitCode,
      1,
    );
    assert.equal(
      outcomeOf([
        { id: 'a', verdict: 'ok' },
        { id: 'b', verdict: 'unmeasured', reason: 'crashed' },
      ]).exitCode,
      2,
    );
    assert.equal(
      outcomeOf([
        { id: 'a', verdict: 'regression' },
        { id: 'b', verdict: 'unmeasured' },
      ]).exitCode,
      1,
    );
    assert.equal(outcomeOf([]).exitCode, 2);
  });

  it('picks the best metric measurable both here and in the baseline', () => {
    assert.equal(chooseMetric(['instructions', 'normalised-cpu'], ['instructions', 'normalised-cpu']), 'instructions');
    assert.equal(chooseMetric(['normalised-cpu'], ['instructions', 'normalised-cpu']), 'normalised-cpu');
    assert.equal(chooseMetric(['normalised-cpu'], ['instructions']), null);
    assert.equal(chooseMetric([], ['normalised-cpu']), null);
    assert.ok(METRICS.instructions.floor < METRICS['normalised-cpu'].floor);
  });

  it('reads perf stat CSV, and knows <not supported> is no count', () => {
    assert.equal(parsePerfCsv('1234567,,instructions:u,2000000,100.00,,\n'), 1234567);
    assert.equal(parsePerfCsv('<not supported>,,instructions:u,0,100.00,,\n'), null);
    assert.equal(parsePerfCsv(''), null);
  });
});

describe('the check flow with a fake measurer', () => {
  const baselinePath = writeJson('baseline.json', syntheticBaseline());

  it('unchanged costs pass, each point measured once', async () => {
    const fake = fakeMeasurer(cost);
    const report = await runCheck(request(baselinePath, { measure: fake.measure }));
    assert.equal(report.exitCode, 0, report.summary);
    assert.equal(report.metric, 'normalised-cpu');
    assert.deepEqual(
      report.points.map((point) => point.verdict),
      ['ok', 'ok', 'ok', 'ok'],
    );
    for (const count of fake.calls.values()) assert.equal(count, SETTINGS.repetitions);
  });

  it('a clear regression at one point is measured again and fails the check with exit 1', async () => {
    const fake = fakeMeasurer((id) => cost(id) * (id === 'pool/no-work/persistent/c1' ? 1.25 : 1));
    const report = await runCheck(request(baselinePath, { measure: fake.measure }));
    assert.equal(report.exitCode, 1, report.summary);
    const pool = report.points.find((point) => point.id === 'pool/no-work/persistent/c1');
    assert.equal(pool?.verdict, 'regression');
    assert.ok(pool?.confirmation !== null);
    // The confirmation measures every point again, so that the suspect is interleaved with the rest.
    assert.equal(fake.calls.get('pool/no-work/persistent/c1'), 2 * SETTINGS.repetitions);
    assert.equal(fake.calls.get('async/no-work/persistent/c1'), 2 * SETTINGS.repetitions);
    assert.equal(report.points.find((point) => point.id === 'async/no-work/persistent/c1')?.verdict, 'ok');
    assert.deepEqual(report.points.find((point) => point.id === 'async/no-work/persistent/c1')?.confirmationValues, []);
  });

  it('a burst of noise during the first look only is not confirmed and passes', async () => {
    const fake = fakeMeasurer(
      (id, attempt) => cost(id) * (id === 'async/cpu-50/persistent/c1' && attempt < SETTINGS.repetitions ? 1.3 : 1),
    );
    const report = await runCheck(request(baselinePath, { measure: fake.measure }));
    assert.equal(report.exitCode, 0, report.summary);
    assert.equal(report.points.find((point) => point.id === 'async/cpu-50/persistent/c1')?.verdict, 'not-confirmed');
  });

  it("names a kernel other than the baseline's in the report, and only then", async () => {
    const fake = fakeMeasurer(cost);
    const same = { kernel: 'test', cpuModel: 'test', node: 'v20' };
    const moved = await runCheck(
      request(baselinePath, { measure: fake.measure, machine: { ...same, kernel: 'other' } }),
    );
    assert.deepEqual(moved.machineChanges, ['kernel test → other']);
    assert.match(renderReport(moved), /^machine: the baseline was recorded on another \(kernel test → other\)/m);
    const unmoved = await runCheck(request(baselinePath, { measure: fake.measure, machine: same }));
    assert.deepEqual(unmoved.machineChanges, []);
    assert.doesNotMatch(renderReport(unmoved), /^machine:/m);
  });

  it('an improvement passes and says so', async () => {
    const fake = fakeMeasurer((id) => cost(id) * (id === 'async/no-work/persistent/c1' ? 0.7 : 1));
    const report = await runCheck(request(baselinePath, { measure: fake.measure }));
    assert.equal(report.exitCode, 0);
    assert.equal(report.points.find((point) => point.id === 'async/no-work/persistent/c1')?.verdict, 'improved');
  });

  it('a point that cannot be measured makes the check unable to run (exit 2), not a pass', async () => {
    const fake = fakeMeasurer(cost);
    const report = await runCheck(
      request(baselinePath, {
        measure: async (requests) =>
          requests.map((one) =>
            one.point.id === 'pool/cpu-50/persistent/c1'
              ? new MeasurementError('server exited before listening')
              : fake.measureOne(one),
          ),
      }),
    );
    assert.equal(report.exitCode, 2);
    assert.match(report.summary, /pool\/cpu-50.*server exited before listening/);
  });

  const neverMeasure = async (): Promise<RepetitionOutcome[]> => {
    throw new Error('must not measure');
  };

  it('a missing baseline is exit 2 with a message, and nothing is measured', async () => {
    const report = await runCheck(request(path.join(temporary, 'absent.json'), { measure: neverMeasure }));
    assert.equal(report.exitCode, 2);
    assert.match(
      report.summary,
      /cannot read baseline .*absent\.json: no such file; record one with npm run bench:baseline/,
    );
  });

  it('an unreadable, foreign or outdated baseline is exit 2', async () => {
    const files = {
      'garbage.json': '{ not json',
      'foreign.json': { tool: 'something-else' },
      'old.json': { ...syntheticBaseline(), baselineFormatVersion: 0 },
      'other-settings.json': { ...syntheticBaseline(), settingsFingerprint: 'recorded differently' },
    };
    for (const [name, content] of Object.entries(files)) {
      const report = await runCheck(request(writeJson(name, content), { measure: neverMeasure }));
      assert.equal(report.exitCode, 2, name);
      assert.ok(report.summary.length > 0);
    }
    assert.throws(() => parseBaseline('{"tool":"zenbench","kind":"regression-baseline"}', 'x'), BaselineError);
  });

  it('no metric measurable here that the baseline has: exit 2, saying which', async () => {
    const none = await runCheck(
      request(baselinePath, { probe: { measurable: [], notes: ['no /proc'] }, measure: neverMeasure }),
    );
    assert.equal(none.exitCode, 2);
    assert.match(none.summary, /no cost metric/);
    const instructionsOnly = writeJson('instructions-baseline.json', syntheticBaseline('instructions'));
    const mismatch = await runCheck(request(instructionsOnly, { measure: neverMeasure }));
    assert.equal(mismatch.exitCode, 2);
    assert.match(mismatch.summary, /baseline \(instructions\)/);
  });

  it("sizes the injected cost by each architecture's cost per cpu-us", () => {
    const baseline = syntheticBaseline();
    // async: (87 - 12) / 50 = 1.5 units per cpu-us; 10% of 87 is 8.7 units, about 6 cpu-us.
    assert.ok(Math.abs((costPerCpuUs(baseline, 'async') ?? 0) - 1.5) < 0.02);
    const [asyncNoWork, asyncCpu] = checkPoints(['async'], WORKLOADS);
    assert.ok(asyncNoWork !== undefined && asyncCpu !== undefined);
    const heavy = injectionFor(baseline, asyncCpu, 10, 0);
    assert.equal(heavy.extraCpuUs, 6);
    assert.ok(Math.abs((heavy.fraction ?? 0) - 0.103) < 0.01);
    // 10% of 12 units is 0.8 cpu-us: rounded to 1, which the report gives as ~12.5%.
    assert.equal(injectionFor(baseline, asyncNoWork, 10, 0).extraCpuUs, 1);
    assert.equal(injectionFor(baseline, asyncNoWork, 0, 3).extraCpuUs, 3);
  });
});
