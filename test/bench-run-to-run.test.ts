/**
 * The spread between runs: learning it from runs (bench:compare --learn), the repeat-run
 * intervals it gives, when it is not used, and the reproducibility report of several runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalQuantile } from '../lib/stats.js';
import { agreementOf } from '../bench/compare/compare-results.js';
import { reproducibilityOf } from '../bench/compare/reproducibility.js';
import { readBenchResults, type BenchResults, type PointResult } from '../bench/report/results-format.js';
import {
  applyRunToRun,
  classOf,
  learnRunToRun,
  readRunToRun,
  repeatRunInterval,
  RunToRunFileError,
  unlearnableBecause,
  withRunToRun,
} from '../bench/report/run-to-run.js';
import { renderMarkdown } from '../bench/report/markdown.js';
import { summarizeRepetitions } from '../bench/report/point-summary.js';
import { RESULTS_FIXTURE } from './helpers/results-fixture.js';

const FIXTURE = RESULTS_FIXTURE;
const COMPARE_MAIN = fileURLToPath(new URL('../bench/compare/main.js', import.meta.url));
const BENCH_MAIN = fileURLToPath(new URL('../bench/run/main.js', import.meta.url));

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-run-to-run-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

/** The fixture with every repetition's throughput (and so every median) times `factor`. */
function scaledRun(factor: number, startedAt: string): BenchResults {
  const results = readBenchResults(FIXTURE);
  results.startedAt = startedAt;
  results.points = results.points.map((point) => {
    const repetitions = point.repetitions.map((repetition) =>
      repetition.load === null
        ? repetition
        : { ...repetition, load: { ...repetition.load, throughput: repetition.load.throughput * factor } },
    );
    return { ...point, repetitions, summary: summarizeRepetitions(repetitions) };
  });
  return results;
}

function writeRun(results: BenchResults, name: string): string {
  const file = path.join(temporary, name);
  writeFileSync(file, JSON.stringify(results));
  return file;
}

const sampleSd = (values: number[]): number => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
};

describe('normal quantile', () => {
  it('gives the textbook values', () => {
    assert.ok(Math.abs(normalQuantile(0.95) - 1.644854) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
    assert.equal(normalQuantile(0.5), 0);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-6);
    assert.throws(() => normalQuantile(1), RangeError);
  });
});

describe('learning the spread between runs', () => {
  it("pools each class's ln(median) deviations over its points, and leaves out failed points", () => {
    const runs = [scaledRun(1, 'a'), scaledRun(1.1, 'b'), scaledRun(0.9, 'c')];
    const spread = learnRunToRun(runs);
    const expected = sampleSd([Math.log(1), Math.log(1.1), Math.log(0.9)]);
    assert.deepEqual(Object.keys(spread.classes).sort(), ['io/tcp/closed', 'none/tcp/closed']);
    for (const entry of Object.values(spread.classes)) {
      assert.ok(Math.abs((entry.sigma.throughput ?? 0) - expected) < 1e-9);
    }
    // pool/io/c16 never started: not a point of the class.
    assert.equal(spread.classes['io/tcp/closed']?.points, 6);
    // Latency did not move between the runs.
    assert.ok((spread.classes['io/tcp/closed']?.sigma.latencyP99Us ?? 1) < 1e-12);
    assert.deepEqual(
      spread.runs.map((run) => run.startedAt),
      ['a', 'b', 'c'],
    );
    assert.throws(() => learnRunToRun([runs[0] as BenchResults]), RangeError);
  });

  it('does not take a point measured with other windows for the same point', () => {
    const longer = scaledRun(1.5, 'b');
    longer.points = longer.points.map((point) => (point.workload.name === 'io' ? { ...point, warmupS: 1.5 } : point));
    const spread = learnRunToRun([scaledRun(1, 'a'), longer]);
    assert.equal(spread.classes['io/tcp/closed'], undefined);
    assert.ok(
      Math.abs((spread.classes['none/tcp/closed']?.sigma.throughput ?? 0) - sampleSd([0, Math.log(1.5)])) < 1e-9,
    );
  });

  it('refuses runs of different machines', () => {
    const other = scaledRun(1, 'b');
    other.environment.cores = 64;
    assert.match(unlearnableBecause([scaledRun(1, 'a'), other]) ?? '', /2 vs 64 cores/);
    assert.equal(unlearnableBecause([scaledRun(1, 'a'), scaledRun(1, 'b')]), null);
  });
});

describe('repeat-run intervals', () => {
  it("reach as far as the spread between runs says, or as far as the run's own interval", () => {
    const z = normalQuantile(0.95);
    const wide = repeatRunInterval(100, { low: 99, high: 101 }, 0.1, 0.9);
    assert.ok(Math.abs(wide.low - 100 * Math.exp(-z * Math.SQRT2 * 0.1)) < 1e-9);
    assert.ok(Math.abs(wide.high - 100 * Math.exp(z * Math.SQRT2 * 0.1)) < 1e-9);
    // A run whose own rounds scattered further keeps that side.
    assert.deepEqual(repeatRunInterval(100, { low: 50, high: 101 }, 0.1, 0.9).low, 50);
    assert.deepEqual(repeatRunInterval(100, { low: 99, high: 101 }, null, 0.9), { low: 99, high: 101 });
  });

  it('widen every figure of a known class on the same machine, and record what was done', () => {
    const runs = [scaledRun(1, 'a'), scaledRun(1.2, 'b'), scaledRun(0.8, 'c')];
    const spread = learnRunToRun(runs);
    delete spread.classes['io/tcp/closed'];
    const run = scaledRun(1, 'd');
    const { points, record } = applyRunToRun(run.points, run.environment, spread, 'spread.json', 0.9);
    assert.equal(record.applied, true);
    assert.deepEqual(record.missingClasses, ['io/tcp/closed']);
    assert.deepEqual(Object.keys(record.classes), ['none/tcp/closed']);
    assert.match(
      renderMarkdown({ ...run, points, runToRun: record }),
      /\*\*Intervals:\*\* where a repeat run's median falls, 90% \(with the spread between 3 earlier runs from spread\.json; this run's alone for the 1 class\(es\) it lacks;/,
    );
    const byId = new Map(points.map((point) => [point.id, point]));
    const none = byId.get('async/none/persistent/c1')?.summary;
    const io = byId.get('async/io/persistent/c1')?.summary;
    assert.ok(none && io);
    assert.ok(none.intervals.throughput.low < none.withinRunIntervals.throughput.low);
    assert.ok(none.intervals.throughput.high > none.withinRunIntervals.throughput.high);
    assert.deepEqual(io.intervals, io.withinRunIntervals);
    // Two runs 40% apart agree once the intervals carry the spread between runs.
    const before = agreementOf(runs[1] as BenchResults, runs[2] as BenchResults);
    const widened = (results: BenchResults): BenchResults => ({
      ...results,
      points: applyRunToRun(results.points, results.environment, spread, 's', 0.9).points,
    });
    const afterwards = agreementOf(widened(runs[1] as BenchResults), widened(runs[2] as BenchResults));
    assert.ok(afterwards.mediansInside > before.mediansInside);
  });

  it('are not drawn from a spread learned on another machine', () => {
    const spread = learnRunToRun([scaledRun(1, 'a'), scaledRun(1.2, 'b')]);
    const run = scaledRun(1, 'c');
    run.environment.cpuModel = 'Other CPU';
    const { points, record } = applyRunToRun(run.points, run.environment, spread, 'spread.json', 0.9);
    assert.equal(record.applied, false);
    assert.match(record.why ?? '', /another machine \(CPU AMD EPYC vs Other CPU\)/);
    assert.deepEqual(
      points.map((point) => point.summary?.intervals),
      run.points.map((point) => point.summary?.withinRunIntervals),
    );
  });

  it("are explained in the report: repeat-run, or this run's alone", () => {
    const spread = learnRunToRun([scaledRun(1, 'a'), scaledRun(1.2, 'b')]);
    const run = scaledRun(1, 'c');
    const applied = applyRunToRun(run.points, run.environment, spread, 'reference/run-to-run.json', 0.9);
    const withSpread = renderMarkdown({ ...run, points: applied.points, runToRun: applied.record });
    assert.match(withSpread, /where the median of a repeat run on this machine falls 90% of the time/);
    assert.match(withSpread, /learned from 2 runs/);
    assert.match(withSpread, /\*\*Intervals:\*\* where a repeat run's median falls, 90%/);
    assert.match(renderMarkdown(run), /\*\*Intervals:\*\* this run's repetitions alone \(75\.0% confidence/);
    assert.match(renderMarkdown(run), /It is this run's alone: no spread between runs was given/);
  });
});

describe('intervals derived again from another spread', () => {
  it("replace a run's spread with another, or with none, from its own repetitions", () => {
    const spread = learnRunToRun([scaledRun(1, 'a'), scaledRun(1.3, 'b')]);
    const run = scaledRun(1, 'c');
    const widened = withRunToRun(run, spread, 'first.json', 0.9);
    assert.equal(widened.runToRun?.source, 'first.json');
    const none = byId(widened, 'async/none/persistent/c1');
    assert.ok(none.intervals.throughput.low < none.withinRunIntervals.throughput.low);
    // Derived again from the run's own, not widened twice: a narrower spread narrows them.
    const narrower = learnRunToRun([scaledRun(1, 'a'), scaledRun(1.05, 'b')]);
    const again = byId(withRunToRun(widened, narrower, 'second.json', 0.9), 'async/none/persistent/c1');
    assert.ok(again.intervals.throughput.low > none.intervals.throughput.low);
    const own = withRunToRun(widened, null, 'none', 0.9);
    assert.equal(own.runToRun, null);
    assert.deepEqual(
      own.points.map((point) => point.summary?.intervals),
      run.points.map((point) => point.summary?.withinRunIntervals),
    );
  });
});

function byId(results: BenchResults, id: string): NonNullable<PointResult['summary']> {
  const summary = results.points.find((point) => point.id === id)?.summary;
  assert.ok(summary, `no summary for ${id}`);
  return summary;
}

describe('results format 5', () => {
  it('reads an older file with intervals from its own repetitions and no spread', () => {
    const results = readBenchResults(FIXTURE);
    assert.equal(results.runToRun, null);
    for (const point of results.points) {
      if (point.summary !== null) assert.deepEqual(point.summary.withinRunIntervals, point.summary.intervals);
    }
  });
});

/** The fixture's TCP points again over HTTP, where the winner differs (cluster over async). */
function withHttpTwins(results: BenchResults): BenchResults {
  const http = results.points.map((point): PointResult => {
    const factor = point.architecture === 'cluster' ? 3 : 1;
    const repetitions = point.repetitions.map((repetition) =>
      repetition.load === null
        ? repetition
        : { ...repetition, load: { ...repetition.load, throughput: repetition.load.throughput * factor } },
    );
    return {
      ...point,
      id: `${point.id}/http`,
      protocol: 'http',
      instrument: 'autocannon',
      repetitions,
      summary: summarizeRepetitions(repetitions),
    };
  });
  return { ...results, points: [...results.points, ...http] };
}

describe('agreement of runs', () => {
  it("compares each group's winner with the same group of the other run, not another protocol's", () => {
    const run = withHttpTwins(readBenchResults(FIXTURE));
    assert.ok(run.points.some((point) => classOf(point) === 'io/http/closed'));
    assert.deepEqual(agreementOf(run, withHttpTwins(readBenchResults(FIXTURE))).conflictingWinners, []);
  });

  it('reports every pair of several runs and the points that moved most', () => {
    const report = reproducibilityOf([scaledRun(1, 'a'), scaledRun(1.5, 'b'), scaledRun(1, 'c')]);
    assert.deepEqual(
      report.pairs.map((pair) => `${pair.a}-${pair.b}`),
      ['0-1', '0-2', '1-2'],
    );
    const same = report.pairs.find((pair) => pair.a === 0 && pair.b === 2);
    assert.equal(same?.mediansInside, same?.mediansCompared);
    assert.ok(Math.abs((report.worst[0]?.spread ?? 0) - 0.5) < 1e-9);
  });
});

describe('the command lines', () => {
  it('bench:compare prints the pairs of three runs and learns a spread that bench reads', () => {
    const files = [
      writeRun(scaledRun(1, 'a'), '1.json'),
      writeRun(scaledRun(1.1, 'b'), '2.json'),
      writeRun(scaledRun(0.95, 'c'), '3.json'),
    ];
    const learned = path.join(temporary, 'spread.json');
    const run = spawnSync(process.execPath, [COMPARE_MAIN, ...files, '--learn', learned], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /1-2 +│ \d+ of 24/);
    assert.match(run.stdout, /Wrote .*spread\.json: the spread between 3 runs/);
    assert.equal(readRunToRun(learned).runs.length, 3);
  });

  it('bench:compare --run-to-run judges runs with intervals from the given spread', () => {
    const files = [writeRun(scaledRun(1, 'a'), 'r1.json'), writeRun(scaledRun(1.4, 'b'), 'r2.json')];
    const learned = path.join(temporary, 'wide-spread.json');
    const learn = spawnSync(process.execPath, [COMPARE_MAIN, ...files, '--learn', learned], { encoding: 'utf8' });
    assert.equal(learn.status, 0, learn.stderr);
    const inside = (args: string[]): number => {
      const run = spawnSync(process.execPath, [COMPARE_MAIN, ...files, ...args], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const match = /Agreement: (\d+) of/.exec(run.stdout);
      assert.ok(match?.[1] !== undefined, run.stdout);
      return Number(match[1]);
    };
    assert.ok(inside(['--run-to-run', learned]) > inside(['--run-to-run', 'none']));
    const missing = spawnSync(process.execPath, [COMPARE_MAIN, ...files, '--run-to-run', 'missing.json'], {
      encoding: 'utf8',
    });
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /^bench:compare: --run-to-run missing\.json: cannot read .*; give another file, or none\n$/,
    );
  });

  it('bench:compare --learn refuses runs of two machines, in one line', () => {
    const other = scaledRun(1, 'b');
    other.environment.cores = 8;
    const run = spawnSync(
      process.execPath,
      [
        COMPARE_MAIN,
        writeRun(scaledRun(1, 'a'), 'm1.json'),
        writeRun(other, 'm2.json'),
        '--learn',
        path.join(temporary, 'no.json'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /^bench:compare: cannot --learn: the runs were made on different machines \(2 vs 8 cores\)/,
    );
  });

  it('bench refuses a spread file it cannot read before measuring anything', () => {
    const notSpread = writeRun(scaledRun(1, 'a'), 'not-a-spread.json');
    assert.throws(() => readRunToRun(notSpread), RunToRunFileError);
    for (const file of [path.join(temporary, 'missing.json'), notSpread]) {
      const run = spawnSync(process.execPath, [BENCH_MAIN, '--run-to-run', file, '--out', temporary], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1);
      assert.match(run.stderr, /^bench: --run-to-run .*; give another file, or none/);
    }
  });
});
