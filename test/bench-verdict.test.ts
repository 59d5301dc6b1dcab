/** The bench's intervals, verdicts and round order on synthetic repetitions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianInterval } from '../lib/stats.js';
import { summarizeRepetitions } from '../bench/report/point-summary.js';
import type { PointResult, RepetitionResult } from '../bench/report/results-format.js';
import { formatWithInterval } from '../bench/report/tables.js';
import { judgeGroup, rankLabels } from '../bench/report/verdict.js';
import { roundOrder } from '../bench/run/runner.js';
import { planPoints } from '../bench/shared/plan.js';
import { findPattern, findWorkload } from '../bench/shared/scenarios.js';

function repetition(index: number, throughput: number, failed = false): RepetitionResult {
  return {
    repetition: index + 1,
    status: failed ? 'failed' : 'ok',
    failure: failed ? { stage: 'crash', message: 'server exited during the load', stderrTail: '' } : null,
    load: failed
      ? null
      : ({
          throughput,
          requests: throughput,
          latencyUs: { p50: 100, p90: 150, p99: 200, p999: 300, max: 400, mean: 110 },
          errors: { wrongAnswers: 0, connectErrors: 0, resets: 0, timeouts: 0, unansweredConnections: 0 },
          errorTotal: 0,
          saturated: false,
        } as unknown as RepetitionResult['load']),
    server: null,
    machine: null,
    wallS: 1,
    phasesS: { start: 0, warmup: 0, measure: 1, stop: 0 },
  };
}

function point(architecture: string, throughputs: number[], failedAt = -1): PointResult {
  const repetitions = throughputs.map((value, index) => repetition(index, value, index === failedAt));
  return {
    id: `${architecture}/none/persistent/c16`,
    architecture,
    runtime: 'node20',
    node: 'v20.20.2',
    protocol: 'tcp',
    instrument: 'zenbench',
    workload: { name: 'none', label: 'no work', cpuUs: 0, ioMs: 0 },
    pattern: { name: 'persistent', label: 'persistent connections', mode: 'closed', pipeline: 1, questions: 3 },
    connections: 16,
    warmupS: 0.25,
    durationS: 0.55,
    repetitions,
    summary: summarizeRepetitions(repetitions),
  };
}

describe('the interval of a median', () => {
  it('is the range for few repetitions, with the confidence that has', () => {
    assert.deepEqual(medianInterval([5, 1, 4, 2]), { low: 1, high: 5, confidence: 0.875 });
    assert.equal(medianInterval([3, 1, 2, 5, 4]).confidence, 0.9375);
    assert.equal(medianInterval([7]).confidence, 0);
  });

  it('narrows to inner order statistics once there are enough repetitions', () => {
    const interval = medianInterval([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    assert.deepEqual([interval.low, interval.high], [2, 9]);
    assert.ok(interval.confidence >= 0.9 && interval.confidence < 0.99);
    assert.throws(() => medianInterval([]), RangeError);
  });

  it('prints only the digits the interval supports', () => {
    assert.equal(formatWithInterval(26_342, { low: 25_100, high: 27_900 }, String), '26,000 (25,000–28,000)');
    assert.equal(formatWithInterval(1.234, { low: 1.2, high: 1.27 }, String), '1.23 (1.20–1.27)');
    assert.equal(
      formatWithInterval(42, { low: 42, high: 42 }, (value) => `${value}!`),
      '42!',
    );
  });
});

describe('the verdict', () => {
  it('names a clear winner with its margin and the margin interval', () => {
    const verdict = judgeGroup([point('async', [100, 104, 98, 101, 99]), point('cluster', [200, 190, 205, 198, 202])]);
    assert.equal(verdict?.best, 'cluster');
    assert.deepEqual(verdict?.level, ['cluster']);
    assert.ok(Math.abs((verdict?.margin?.value ?? 0) - (200 / 100 - 1)) < 1e-9);
    assert.ok((verdict?.margin?.low ?? 0) > 0.7 && (verdict?.margin?.high ?? 0) < 1.1);
  });

  it('says level where the intervals overlap, and ranks them alike', () => {
    const verdict = judgeGroup([
      point('async', [100, 110, 95, 105, 99]),
      point('cluster', [102, 97, 108, 101, 96]),
      point('blocking', [20, 21, 19, 20, 22]),
    ]);
    assert.equal(verdict?.best, null);
    assert.deepEqual(new Set(verdict?.level), new Set(['async', 'cluster']));
    assert.deepEqual(rankLabels(verdict?.ranking ?? []), ['1', '=1', '3']);
  });

  it('lets one noisy repetition widen the interval, not move the winner', () => {
    const verdict = judgeGroup([point('async', [100, 101, 99, 100, 10]), point('cluster', [200, 199, 201, 198, 202])]);
    assert.equal(verdict?.best, 'cluster');
  });

  it('leaves out a point with a failed repetition or starved connections', () => {
    const failing = point('pool', [300, 310, 0, 305, 299], 2);
    const verdict = judgeGroup([failing, point('async', [100, 101, 99, 100, 102])]);
    assert.equal(verdict?.best, 'async');
    assert.deepEqual(verdict?.excluded, [{ architecture: 'pool', reason: 'failed' }]);
  });
});

describe('the rounds', () => {
  it('measure the architectures of a group together, rotating who goes first, workload by workload', () => {
    const none = findWorkload('none');
    const io = findWorkload('io');
    const persistent = findPattern('persistent');
    assert.ok(none && io && persistent);
    const points = planPoints({
      architectures: ['blocking', 'pool', 'async'],
      workloads: [none, io],
      patterns: [persistent],
      connections: [1, 16],
      warmupS: 0.25,
      durationS: 0.55,
    });
    const ids = (round: number): string[][] => roundOrder(points, round).map((block) => block.map((entry) => entry.id));
    assert.deepEqual(ids(1)[0], [
      'blocking/none/persistent/c1',
      'pool/none/persistent/c1',
      'async/none/persistent/c1',
      'blocking/none/persistent/c16',
      'pool/none/persistent/c16',
      'async/none/persistent/c16',
    ]);
    assert.equal(ids(1).length, 2, 'one block per workload');
    assert.deepEqual(ids(2)[1]?.slice(0, 3), [
      'pool/io/persistent/c1',
      'async/io/persistent/c1',
      'blocking/io/persistent/c1',
    ]);
    assert.deepEqual(ids(4), ids(1));
  });
});
