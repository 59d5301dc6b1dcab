/**
 * The regression check for real, kept short: one architecture, one light point, a few
 * hundred answers per repetition. It records a baseline, checks the unchanged server against
 * it, then checks a server made twenty times costlier, which must fail. The CLI's exit code
 * for a missing baseline is checked too. Nothing may outlive the test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listProcessTree } from '../lib/process-tree.js';
import { readBaseline, writeBaseline } from '../bench/check/baseline.js';
import { runCheck } from '../bench/check/check.js';
import { MeasurementError, measureRepetitions } from '../bench/check/measure.js';
import { probeMetrics } from '../bench/check/probe.js';
import { recordBaseline, RECORD_REPETITION_FACTOR } from '../bench/check/record.js';
import { renderReport } from '../bench/check/check-report.js';
import { CHECK_SETTINGS, type CheckWorkload } from '../bench/check/check-points.js';

const CHECK_MAIN = fileURLToPath(new URL('../bench/check/main.js', import.meta.url));
const WORKLOADS: CheckWorkload[] = [{ name: 'no-work', cpuUs: 0, answersPerChunk: 200 }];
const SETTINGS = { ...CHECK_SETTINGS, warmupAnswers: 2000, settleChunks: 1, chunksPerRepetition: 3, repetitions: 3 };
const SCOPE = { settings: SETTINGS, workloads: WORKLOADS, architectures: ['async'] };

const temporary = mkdtempSync(path.join(os.tmpdir(), 'zenbench-check-e2e-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

describe('bench:check end to end (short)', { timeout: 60_000 }, () => {
  const baselinePath = path.join(temporary, 'baseline.json');
  const probe = probeMetrics();

  it('records a baseline, passes or judges the unchanged server, and catches a 20x costlier one', async () => {
    const baseline = await recordBaseline({ ...SCOPE, probe });
    writeBaseline(baselinePath, baseline);
    const reread = readBaseline(baselinePath);
    assert.equal(reread.points.length, 1);
    const figures = reread.points[0]?.metrics['normalised-cpu'];
    assert.ok(
      figures !== undefined &&
        figures.values.length === RECORD_REPETITION_FACTOR * SETTINGS.repetitions &&
        figures.figure > 0,
    );

    const unchanged = await runCheck({ ...SCOPE, baselinePath, probe, injectPct: 0, extraCpuUs: 0 });
    // On a loaded machine a confirmed change is possible in so short a run; what must hold is
    // that the check ran and judged the point.
    assert.notEqual(unchanged.exitCode, 2, unchanged.summary);
    assert.match(renderReport(unchanged), /async\/no-work/);

    // 200 cpu-us of work per answer on a point that costs about 15: unmistakable.
    const slower = await runCheck({ ...SCOPE, baselinePath, probe, injectPct: 0, extraCpuUs: 200 });
    assert.equal(slower.exitCode, 1, renderReport(slower));
    assert.equal(slower.points[0]?.verdict, 'regression');
    assert.ok((slower.points[0]?.first?.change ?? 0) > 1);

    assert.deepEqual(listProcessTree(process.pid), [process.pid], 'a server outlived its measurement');
  });

  it('a repetition goes on without a point whose server cannot start, and says why', async () => {
    const [good, bad] = await measureRepetitions(
      [
        { architecture: 'async', id: 'async/no-work' },
        { architecture: 'no-such-architecture', id: 'no-such-architecture/no-work' },
      ].map(({ architecture, id }) => ({
        point: { id, architecture, workload: WORKLOADS[0] ?? { name: 'no-work', cpuUs: 0, answersPerChunk: 200 } },
        settings: SETTINGS,
        extraCpuUs: 0,
        countInstructions: false,
      })),
    );
    assert.ok(
      good !== undefined && !(good instanceof MeasurementError),
      good instanceof Error ? good.message : 'no run',
    );
    assert.equal(good.chunkCpuUsPerAnswer.length, SETTINGS.chunksPerRepetition);
    assert.ok(bad instanceof MeasurementError);
    assert.match(bad.message, /no-such-architecture/);
    assert.deepEqual(listProcessTree(process.pid), [process.pid], 'a server outlived its measurement');
  });

  it('the CLI exits 2 with a message when the baseline is missing', () => {
    const run = spawnSync(process.execPath, [CHECK_MAIN, '--baseline', path.join(temporary, 'none.json'), '--quiet'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /CANNOT RUN: cannot read baseline .*none\.json/);
  });

  it('the CLI refuses bad options with exit 2', () => {
    const run = spawnSync(process.execPath, [CHECK_MAIN, '--inject-pct', 'lots'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--inject-pct must be a number/);
  });
});
