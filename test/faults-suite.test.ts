/** The fault suite: its reading of a timeline, and a short run that shows the physics. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyseService } from '../bench/faults/fault-analysis.js';
import type { FaultSuiteResults } from '../bench/faults/fault-record.js';
import { FAULT_COLUMNS } from '../bench/faults/fault-tables.js';

const FAULTS_MAIN = fileURLToPath(new URL('../bench/faults/main.js', import.meta.url));

/** A timeline of 100 ms buckets with these answers in each. */
function timeline(answers: number[]) {
  return { bucketMs: 100, answers, errors: answers.map(() => 0), maxLatencyUs: answers.map(() => 1000) };
}

describe('reading the timeline around a fault', () => {
  const level = Array<number>(20).fill(100);

  test('a dip and a return: the time from the fault to the first span back at 90%', () => {
    const figures = analyseService(timeline([...level, 0, 0, 0, 0, 0, 100, 100, 100, 100, 100]), 3000, 2000);
    assert.equal(figures.outcome, 'recovered');
    assert.equal(figures.levelPerS, 1000);
    assert.equal(figures.lowestPerS, 0);
    assert.equal(figures.recoveryMs, 500);
    assert.equal(figures.shortfall, 500);
  });

  test('no return within the run, no dip, and no fault', () => {
    assert.equal(analyseService(timeline([...level, ...Array<number>(10).fill(0)]), 3000, 2000).outcome, 'never');
    const steady = analyseService(timeline([...level, ...Array<number>(10).fill(95)]), 3000, 2000);
    assert.equal(steady.outcome, 'no-dip');
    assert.equal(steady.recoveryMs, 0);
    assert.equal(analyseService(timeline(level), 2000, null).outcome, 'no-fault');
  });
});

describe('npm run bench:faults, a short run', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'zenbench-faults-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  test('async loses the whole server to a crash, the cluster one worker and serves on', () => {
    const args = ['--servers', 'async,cluster', '--faults', 'crash', '--warmup', '0.2', '--before', '1.2'];
    const run = spawnSync(process.execPath, [FAULTS_MAIN, ...args, '--after', '1.5', '--quiet', '--out', outDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const results = JSON.parse(readFileSync(path.join(outDir, 'latest.json'), 'utf8')) as FaultSuiteResults;
    const find = (architecture: string, fault: string) =>
      results.runs.find((candidate) => candidate.architecture === architecture && candidate.fault === fault);

    const asyncCrash = find('async', 'crash');
    assert.ok(asyncCrash !== undefined && find('async', 'none') !== undefined);
    assert.equal(asyncCrash.failure, null);
    assert.notEqual(asyncCrash.faultAtMs, null, 'the knob struck within the window');
    assert.notEqual(asyncCrash.server.exitedAtMs, null, 'the async server ended');
    assert.notEqual(asyncCrash.server.exitCode, 0);
    assert.equal(asyncCrash.service?.outcome, 'never');
    assert.ok((asyncCrash.answersLost ?? 0) > 0);

    const clusterCrash = find('cluster', 'crash');
    assert.ok(clusterCrash !== undefined);
    assert.equal(clusterCrash.failure, null);
    assert.equal(clusterCrash.server.exitedAtMs, null, 'the cluster lived on');
    assert.ok(clusterCrash.server.workerDeaths >= 1 && clusterCrash.server.workersReplaced >= 1);
    // Whether it is back to 90% of its level within the short run depends on the machine's
    // neighbours; that it serves on, and async does not, is the architecture's.
    const answersAfter = (run: typeof clusterCrash, fromMs: number): number => {
      const timeline = run.load?.timeline;
      if (timeline === undefined) return 0;
      return timeline.answers.slice(Math.ceil(fromMs / timeline.bucketMs)).reduce((sum, count) => sum + count, 0);
    };
    assert.equal(answersAfter(asyncCrash, (asyncCrash.faultAtMs ?? 0) + 300), 0, 'async answered after its crash');
    assert.ok(answersAfter(clusterCrash, (clusterCrash.faultAtMs ?? 0) + 1000) > 0, 'the cluster served on');

    const markdown = readFileSync(path.join(outDir, 'latest.md'), 'utf8');
    assert.ok(markdown.includes(`| ${FAULT_COLUMNS.join(' | ')} |`), 'the table has its columns');
    assert.match(markdown, /\| async \| --fault crash:\d+ \| \d+ \| \d+ \|/);
    assert.match(markdown, /async: the server process ended \(exit \d+\)/);
    assert.match(markdown, /cluster: \d+ worker process\(es\) died/);
    assert.match(markdown, /!\[Throughput around the fault: crash\]\(charts\/fault-crash\.svg\)/);
    assert.match(readFileSync(path.join(outDir, 'charts', 'fault-crash.svg'), 'utf8'), /^<svg/);
    assert.match(readFileSync(path.join(outDir, 'latest.html'), 'utf8'), /<svg/);
  });

  test('bad options get one line and exit 2', () => {
    const run = spawnSync(process.execPath, [FAULTS_MAIN, '--faults', 'meteor'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  });
});
