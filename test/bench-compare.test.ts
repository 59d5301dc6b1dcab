/**
 * bench:compare: the noise test on synthetic samples, and two results files side by side.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareResults, compareSamples, separationPValue } from '../bench/compare/compare-results.js';
import { FORMAT_VERSION, readBenchResults, type BenchResults } from '../bench/report/results-format.js';
import { RESULTS_FIXTURE } from './helpers/results-fixture.js';

const FIXTURE = RESULTS_FIXTURE;
const COMPARE_MAIN = fileURLToPath(new URL('../bench/compare/main.js', import.meta.url));

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-compare-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

/** The fixture with one point's throughput scaled in every repetition. */
function withThroughputScaled(id: string, factor: number): BenchResults {
  const results = readBenchResults(FIXTURE);
  for (const point of results.points) {
    if (point.id !== id) continue;
    for (const repetition of point.repetitions) {
      if (repetition.load !== null) repetition.load.throughput *= factor;
    }
  }
  return results;
}

describe('noise test', () => {
  it('is the exact probability of complete separation', () => {
    assert.equal(separationPValue(3, 3), 0.1);
    assert.ok(Math.abs(separationPValue(5, 5) - 2 / 252) < 1e-12);
    assert.equal(separationPValue(1, 1), 1);
  });

  it('calls separated repetitions beyond noise, overlapping ones within', () => {
    const faster = compareSamples([100, 102, 98], [120, 118, 121], true);
    assert.equal(faster.verdict, 'beyond noise');
    assert.equal(faster.better, true);
    assert.ok(Math.abs((faster.changePercent ?? 0) - 20) < 1e-9);
    assert.ok(Math.abs((faster.noisePercent ?? 0) - 4) < 1e-9);

    const slowerLatency = compareSamples([100, 102, 98], [120, 118, 121], false);
    assert.equal(slowerLatency.verdict, 'beyond noise');
    assert.equal(slowerLatency.better, false);

    assert.equal(compareSamples([100, 110, 90], [105, 95, 112], true).verdict, 'no difference shown');
    // Separated, but 2 + 2 repetitions cannot tell (p = 1/3).
    assert.equal(compareSamples([100, 101], [120, 121], true).verdict, 'too few repetitions');
    assert.equal(compareSamples([100], [200], true).verdict, 'too few repetitions');
    assert.equal(compareSamples([], [200], true).verdict, 'not comparable');
  });
});

describe('comparing two runs', () => {
  it('finds the one point that changed beyond noise', () => {
    const before = readBenchResults(FIXTURE);
    const afterChange = withThroughputScaled('async/io/persistent/c16', 1.25);
    const report = compareResults(before, afterChange);
    assert.equal(report.points.length, 13);
    const changed = report.points.filter((point) => point.throughput.verdict === 'beyond noise');
    assert.deepEqual(
      changed.map((point) => point.id),
      ['async/io/persistent/c16'],
    );
    assert.ok(Math.abs((changed[0]?.throughput.changePercent ?? 0) - 25) < 1e-6);
    assert.equal(
      report.points.find((point) => point.id === 'blocking/none/persistent/c1')?.throughput.verdict,
      'no difference shown',
    );
    assert.equal(
      report.points.find((point) => point.id === 'pool/io/persistent/c16')?.throughput.verdict,
      'not comparable',
    );
    assert.deepEqual(report.environmentDifferences, []);
    assert.equal(report.wholeRunShifted, false);
  });

  it('warns when the whole run moved, which is more often the machine than the code', () => {
    const before = readBenchResults(FIXTURE);
    const slower = readBenchResults(FIXTURE);
    for (const point of slower.points) {
      for (const repetition of point.repetitions) if (repetition.load !== null) repetition.load.throughput *= 0.7;
    }
    const report = compareResults(before, slower);
    assert.equal(report.wholeRunShifted, true);
    assert.ok(Math.abs((report.medianThroughputChangePercent ?? 0) + 30) < 1e-6);
  });

  it('sets the machine speeds of the two runs side by side, and counts how far they agree', () => {
    const before = readBenchResults(FIXTURE);
    const slower = readBenchResults(FIXTURE);
    const rounds = (cpuUs: number[]): typeof before.rounds =>
      cpuUs.map((referenceCpuUsPerUnit, index) => ({ round: index + 1, startedAt: '', referenceCpuUsPerUnit }));
    before.rounds = rounds([1.0, 1.02, 0.98]);
    slower.rounds = rounds([1.05, 1.04, 1.06]);
    const report = compareResults(before, slower);
    assert.ok(Math.abs((report.machineSpeed.changePercent ?? 0) - 5) < 1e-9);
    assert.equal(compareResults(readBenchResults(FIXTURE), readBenchResults(FIXTURE)).machineSpeed.changePercent, null);
    // A run against itself: every median inside the other's interval, no conflicting winner.
    const self = compareResults(before, before).agreement;
    assert.equal(self.mediansInside, self.mediansCompared);
    assert.deepEqual(self.conflictingWinners, []);
  });

  it('lists points only one run has, and a different machine', () => {
    const before = readBenchResults(FIXTURE);
    const other = readBenchResults(FIXTURE);
    other.points = other.points.filter((point) => point.architecture !== 'cluster');
    other.environment.cores = 4;
    const report = compareResults(before, other);
    assert.equal(report.onlyInA.length, 4);
    assert.deepEqual(report.onlyInB, []);
    assert.deepEqual(report.environmentDifferences, ['cores: 2 vs 4']);
  });

  it('prints the comparison, or JSON, and refuses a file that is not results', () => {
    const changed = path.join(temporary, 'b.json');
    writeFileSync(changed, JSON.stringify(withThroughputScaled('cluster/io/persistent/c16', 0.5)));
    const table = spawnSync(process.execPath, [COMPARE_MAIN, FIXTURE, changed], { encoding: 'utf8' });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /cluster\/io\/persistent\/c16.*-50\.0% WORSE \(p=0\.100\)/);
    assert.match(table.stdout, /throughput changed beyond noise at 1\./);

    const json = spawnSync(process.execPath, [COMPARE_MAIN, '--json', FIXTURE, changed], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { points: unknown[] }).points.length, 13);

    const bad = path.join(temporary, 'bad.json');
    writeFileSync(bad, '{"tool":"zenbench","formatVersion":0}');
    const refused = spawnSync(process.execPath, [COMPARE_MAIN, FIXTURE, bad], { encoding: 'utf8' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, new RegExp(`formatVersion 0 is not the supported ${FORMAT_VERSION}`));
    assert.equal(spawnSync(process.execPath, [COMPARE_MAIN, FIXTURE], { encoding: 'utf8' }).status, 2);
  });
});
