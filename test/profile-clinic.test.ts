/**
 * `npm run profile -- async --tool flame`: Clinic.js around the server, our load generator
 * run by clinic's --on-port, and an HTML report that really exists.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync } from 'node:fs';
import { after, test } from 'node:test';
import { makeOutDir, processesMentioning, reportDirectoryIn, runProfile } from './profile-helpers.js';

const outDirs: string[] = [];

after(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

test(
  'clinic flame on the async server leaves an HTML flame graph and prints its path',
  { timeout: 90_000 },
  async () => {
    const outDir = makeOutDir('flame-async');
    outDirs.push(outDir);
    const run = await runProfile(
      ['async', '--tool', 'flame', '--duration', '2', '--warmup', '0.5', '--connections', '4'],
      outDir,
      75_000,
    );
    assert.equal(run.code, 0, `profile failed: ${run.stderr}`);

    const printed = /(\S+\.clinic-flame\.html)/.exec(run.stdout)?.[1];
    assert.ok(printed !== undefined, `no report path in:\n${run.stdout}`);
    const reportDir = reportDirectoryIn(outDir);
    assert.ok(printed.startsWith(reportDir) || existsSync(printed), `printed path ${printed} is not in ${reportDir}`);
    assert.ok(existsSync(printed), `${printed} does not exist`);
    // clinic's error page is a few hundred bytes; a flame graph embeds its samples.
    assert.ok(statSync(printed).size > 100_000, `${printed} is only ${statSync(printed).size} bytes`);
    assert.match(run.stdout, /load: \d+ answers/);
    assert.deepEqual(processesMentioning(outDir), [], 'a process of the run outlived it');
  },
);
