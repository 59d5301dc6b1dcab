/** The arithmetic behind the cpuprof table and the clinic version check, on hand-made input. */
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { CLINIC_TOOLS, knownBrokenHere } from '../bench/profile/clinic-tools.js';
import { selfTimes, type CpuProfile } from '../bench/profile/cpuprofile.js';
import { summarizeProfiles } from '../bench/profile/hot-functions.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK_JS = pathToFileURL(`${PROJECT_ROOT}dist/servers/shared/work.js`).href;

function frame(
  functionName: string,
  url = '',
  lineNumber = 0,
): { functionName: string; url: string; lineNumber: number; columnNumber: number } {
  return { functionName, url, lineNumber, columnNumber: 0 };
}

/** root -> (idle), root -> handler -> burnCpu; samples 10 us apart, burnCpu twice. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('handler', 'node:net', 99), children: [4] },
    { id: 4, callFrame: frame('burnCpu', WORK_JS, 17) },
  ],
  startTime: 1000,
  endTime: 1050,
  samples: [2, 4, 4, 3, 2],
  timeDeltas: [0, 10, 10, 10, 10],
};

test('self time: each sample lasts until the next, the last until endTime', () => {
  const byName = new Map(selfTimes(PROFILE).map((entry) => [entry.functionName, entry]));
  assert.equal(byName.get('burnCpu')?.selfUs, 20);
  assert.equal(byName.get('burnCpu')?.samples, 2);
  assert.equal(byName.get('handler')?.selfUs, 10);
  // (idle): the first sample (10 us) and the last (until endTime, 10 us).
  assert.equal(byName.get('(idle)')?.selfUs, 20);
  assert.equal(byName.get('burnCpu')?.line, 18, 'lines are shown 1-based');
});

test('the summary leaves idle time out of the ranking and places our code in its TypeScript source', () => {
  const summary = summarizeProfiles([PROFILE, PROFILE], PROJECT_ROOT);
  assert.equal(summary.idleUs, 40);
  assert.equal(summary.busyUs, 60);
  const [first, second] = summary.functions;
  assert.equal(first?.name, 'burnCpu');
  assert.equal(first?.kind, 'zenbench');
  assert.match(first?.where ?? '', /^servers\/shared\/work\.ts:\d+$/);
  assert.ok(Math.abs((first?.share ?? 0) - 2 / 3) < 1e-9);
  assert.equal(second?.kind, 'node');
  assert.equal(second?.where, 'node:net:100');
  assert.ok(!summary.functions.some((hot) => hot.name === '(idle)' || hot.name === '(root)'));
});

test('clinic doctor is flagged as known broken from Node 21.7 on, and not before', () => {
  assert.equal(knownBrokenHere(CLINIC_TOOLS.doctor, '20.20.2'), null);
  assert.equal(knownBrokenHere(CLINIC_TOOLS.doctor, '21.6.9'), null);
  assert.match(knownBrokenHere(CLINIC_TOOLS.doctor, '21.7.0') ?? '', /21\.7/);
  assert.notEqual(knownBrokenHere(CLINIC_TOOLS.doctor, '22.1.0'), null);
  assert.equal(knownBrokenHere(CLINIC_TOOLS.flame, '24.0.0'), null);
});
