/**
 * A profile run that cannot profile says so and exits non-zero: bad usage with 2, a server
 * that does not start or a tool that writes no real report with 1. Never a silent success.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLINIC_TOOLS } from '../bench/profile/clinic-tools.js';
import { MIN_REPORT_BYTES, verifiedReport } from '../bench/profile/clinic-run.js';
import { ProfileFailure } from '../bench/profile/failure.js';
import { makeOutDir, processesMentioning, runProfile } from './profile-helpers.js';

const outDirs: string[] = [];

after(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

function freshOutDir(label: string): string {
  const dir = makeOutDir(label);
  outDirs.push(dir);
  return dir;
}

/** A listener on a port of our own, so that the profiled server cannot have it. */
async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  return lines[0] ?? '';
}

test('an unknown architecture is a usage error: exit 2, one line naming the choices', async () => {
  const run = await runProfile(['threads', '--duration', '1'], freshOutDir('bad-arch'), 10_000);
  assert.equal(run.code, 2);
  assert.match(oneLine(run.stderr), /unknown architecture 'threads'.*async/);
});

test('an unknown tool and a bad number are usage errors', async () => {
  const badTool = await runProfile(['async', '--tool', 'perf'], freshOutDir('bad-tool'), 10_000);
  assert.equal(badTool.code, 2);
  assert.match(oneLine(badTool.stderr), /--tool must be one of cpuprof, flame/);
  const badDuration = await runProfile(['async', '--duration', 'soon'], freshOutDir('bad-duration'), 10_000);
  assert.equal(badDuration.code, 2);
  assert.match(oneLine(badDuration.stderr), /--duration/);
});

test('a clinic tool on the cluster server is refused with the reason and the way out', async () => {
  const run = await runProfile(['cluster', '--tool', 'flame'], freshOutDir('flame-cluster'), 10_000);
  assert.equal(run.code, 2);
  assert.match(oneLine(run.stderr), /cannot profile cluster.*--tool cpuprof/);
});

for (const tool of ['cpuprof', 'flame']) {
  test(
    `${tool}: a server that cannot start (its port is taken) fails with exit 1 and says why`,
    { timeout: 60_000 },
    async () => {
      const outDir = freshOutDir(`${tool}-port-taken`);
      const { port, release } = await occupyPort();
      try {
        const run = await runProfile(
          ['async', '--tool', tool, '--port', String(port), '--duration', '1'],
          outDir,
          50_000,
        );
        assert.equal(run.code, 1, `expected failure, got ${run.code}; stdout:\n${run.stdout}`);
        const message = oneLine(
          run.stderr
            .split('\n')
            .filter((line) => !line.includes(': clinic ') && !line.includes('under node --cpu-prof'))
            .join('\n'),
        );
        assert.match(message, /did not start.*(in use|EADDRINUSE)/i);
        assert.doesNotMatch(run.stdout, /report \(|\.cpuprofile/);
      } finally {
        await release();
      }
      assert.deepEqual(processesMentioning(outDir), [], 'a process of the run outlived it');
    },
  );
}

test('a clinic report that is missing or only an error page is a failure, not a success', () => {
  const dir = freshOutDir('verify');
  const flame = CLINIC_TOOLS.flame;
  assert.throws(
    () => verifiedReport(flame, dir, [], 'clinic said nothing'),
    (error: unknown) => {
      assert.ok(error instanceof ProfileFailure);
      assert.match(error.message, /wrote no HTML report.*clinic said nothing/);
      return true;
    },
  );

  const errorPage = join(dir, '123.clinic-flame.html');
  writeFileSync(errorPage, '<!DOCTYPE html><html><head><link rel="shortcut icon" href="');
  assert.throws(
    () => verifiedReport(flame, dir, [`Generated HTML file is file://${errorPage}`], 'Decoded message is not valid'),
    /only an empty or error page \(\d+ bytes/,
  );

  writeFileSync(errorPage, 'x'.repeat(MIN_REPORT_BYTES + 1));
  assert.deepEqual(verifiedReport(flame, dir, [`Generated HTML file is file://${errorPage}`], ''), {
    htmlPath: errorPage,
    htmlBytes: MIN_REPORT_BYTES + 1,
  });
  mkdirSync(join(dir, 'unrelated'));
});
