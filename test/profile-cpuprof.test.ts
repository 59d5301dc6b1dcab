/**
 * `npm run profile -- <architecture> --tool cpuprof`: Node's own profiler under real load.
 * The table must show the server's own hot path, and the cluster must give one profile
 * per worker process.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeOutDir, processesMentioning, reportDirectoryIn, runProfile } from './profile-helpers.js';

const BRIEF_LOAD = ['--duration', '2', '--warmup', '0.5', '--connections', '4'];
const outDirs: string[] = [];

after(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Rows of the printed tables whose code column says zenbench: functions of our own source. */
function ownCodeRows(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /│\s*zenbench\s*│/.test(line));
}

test(
  'cpuprof on the async server prints a table naming the server code and leaves a .cpuprofile',
  { timeout: 60_000 },
  async () => {
    const outDir = makeOutDir('cpuprof-async');
    outDirs.push(outDir);
    // --cpu-us makes the server's own work show plainly, as a real handler's would.
    const run = await runProfile(['async', '--tool', 'cpuprof', '--cpu-us', '20', ...BRIEF_LOAD], outDir, 45_000);
    assert.equal(run.code, 0, `profile failed: ${run.stderr}`);
    assert.match(run.stdout, /hottest functions by self time/);
    assert.match(run.stdout, /self ms/);

    const ownRows = ownCodeRows(run.stdout);
    assert.ok(ownRows.length > 0, `no row of our own code in:\n${run.stdout}`);
    assert.ok(
      ownRows.some((row) => /(servers|protocol)\/[\w/.-]+\.ts:\d+/.test(row)),
      `our rows do not point into servers/ or protocol/:\n${ownRows.join('\n')}`,
    );
    // V8 often inlines burnCpu into the async server's answer(), which then carries its time.
    assert.ok(
      ownRows.some((row) => /│\s*(burnCpu|answer)\s*│/.test(row)),
      `neither burnCpu, the --cpu-us work, nor answer, its caller, is among:\n${ownRows.join('\n')}`,
    );

    const reportDir = reportDirectoryIn(outDir);
    const profiles = readdirSync(reportDir).filter((name) => name.endsWith('.cpuprofile'));
    assert.equal(profiles.length, 1, `expected the async server's one profile, found ${profiles.join(', ')}`);
    assert.ok(statSync(join(reportDir, profiles[0] ?? '')).size > 1000);
    assert.match(run.stdout, /speedscope/);
    assert.deepEqual(processesMentioning(outDir), [], 'a process of the run outlived it');
  },
);

test(
  'cpuprof on the cluster server writes one profile per worker process, and one for the primary',
  { timeout: 60_000 },
  async () => {
    const outDir = makeOutDir('cpuprof-cluster');
    outDirs.push(outDir);
    const run = await runProfile(['cluster', '--workers', '2', '--tool', 'cpuprof', ...BRIEF_LOAD], outDir, 45_000);
    assert.equal(run.code, 0, `profile failed: ${run.stderr}`);

    const listed = run.stdout.split('\n').filter((line) => line.includes('.cpuprofile'));
    const workerLines = listed.filter((line) => line.includes('cluster worker'));
    assert.equal(workerLines.length, 2, `expected two worker profiles:\n${listed.join('\n')}`);
    assert.equal(listed.filter((line) => line.includes('cluster primary')).length, 1);
    const workerPids = new Set(workerLines.map((line) => /pid (\d+)/.exec(line)?.[1]));
    assert.equal(workerPids.size, 2, 'the two worker profiles come from the same process');

    const reportDir = reportDirectoryIn(outDir);
    const profiles = readdirSync(reportDir).filter((name) => name.endsWith('.cpuprofile'));
    assert.equal(profiles.length, 3);
    for (const line of listed) {
      const path = line.trim().split(/\s+/)[0] ?? '';
      assert.ok(existsSync(path) || existsSync(join(process.cwd(), path)), `listed profile ${path} does not exist`);
    }
    assert.deepEqual(processesMentioning(outDir), [], 'a process of the run outlived it');
  },
);
