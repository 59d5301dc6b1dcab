/**
 * CPU time and RSS over a process tree: a child that forks a CPU-burning grandchild is
 * measured with the grandchild's time, and that time is not lost when the grandchild exits
 * and is reaped (it moves to the parent's cutime).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { listProcessTree, PeakRssSampler, sampleTreeCpu, sampleTreeRss } from '../lib/process-tree.js';

/** Parent: starts a grandchild that burns ~400 ms of CPU then exits; the parent idles until killed. */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end) {} setTimeout(() => {}, 300);'], { stdio: 'ignore' });
child.on('exit', () => process.stdout.write('grandchild exited\\n'));
process.stdout.write('started ' + child.pid + '\\n');
setTimeout(() => process.exit(0), 20000);
`;

describe('process tree measurement', () => {
  it("counts descendants, and keeps an exited descendant's CPU time", async () => {
    const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      let output = '';
      parent.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
      for (let attempt = 0; attempt < 50 && !output.includes('started'); attempt++) await sleep(50);
      const grandchild = Number(/started (\d+)/.exec(output)?.[1]);
      const parentPid = parent.pid ?? 0;
      const before = sampleTreeCpu(parentPid);
      assert.deepEqual(listProcessTree(parentPid), [parentPid, grandchild]);
      assert.deepEqual(before.pids, [parentPid, grandchild]);

      const rss = sampleTreeRss(parentPid);
      assert.equal(rss.processCount, 2);
      assert.ok(rss.rssBytes > 20 * 1024 * 1024, `two Node processes are resident (${rss.rssBytes} bytes)`);
      const sampler = new PeakRssSampler(parentPid, 50);
      sampler.start();

      for (let attempt = 0; attempt < 60 && !output.includes('grandchild exited'); attempt++) await sleep(50);
      assert.ok(output.includes('grandchild exited'));
      const after = sampleTreeCpu(parentPid);
      assert.deepEqual(after.pids, [parentPid], 'the grandchild is gone from the tree');
      const used = after.cpuSeconds - before.cpuSeconds;
      // The grandchild burnt ~0.4 s, most of it after the first sample; a busy machine may stretch it.
      assert.ok(used >= 0.15, `tree CPU after the grandchild exited grew by ${used.toFixed(2)} s`);

      const peak = sampler.stop();
      assert.ok(peak.samples >= 2);
      assert.equal(peak.maxProcessCount, 2);
      assert.ok(peak.peakRssBytes >= rss.rssBytes * 0.8);
    } finally {
      parent.kill('SIGKILL');
    }
    assert.deepEqual(listProcessTree(999_999_999), []);
  });
});
