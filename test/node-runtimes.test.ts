/**
 * lib/node-runtimes.ts: the --node syntax, where each line's installation goes, the version
 * read back, the host's own line (never installed), and a bad --node on every command that
 * takes it: one line and exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../lib/cli.js';
import {
  cachedNodeBinary,
  ensureNodeRuntime,
  hostNodeLine,
  nodeCachePath,
  parseNodeLines,
  parseNodeVersion,
  runtimeLabel,
} from '../lib/node-runtimes.js';
import { withoutNodeOption } from '../servers/run-under-node.js';

const ENTRIES = {
  bench: fileURLToPath(new URL('../bench/run/main.js', import.meta.url)),
  server: fileURLToPath(new URL('../servers/main.js', import.meta.url)),
  profile: fileURLToPath(new URL('../bench/profile/main.js', import.meta.url)),
};

describe('--node values', () => {
  it('reads release lines, once each, in the order given', () => {
    assert.deepEqual(parseNodeLines('22,24'), [22, 24]);
    assert.deepEqual(parseNodeLines('24, v22,24'), [24, 22]);
  });

  for (const bad of ['', 'x', '18', '22.1', '22,', '-1', '100']) {
    it(`refuses '${bad}' with a usage error naming the option`, () => {
      assert.throws(
        () => parseNodeLines(bad),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, /^--node takes Node release lines/);
          return true;
        },
      );
    });
  }

  it('reads the exact version from node --version', () => {
    assert.equal(parseNodeVersion('v24.21.0\n'), 'v24.21.0');
    assert.equal(parseNodeVersion('24.21.0'), null);
    assert.equal(parseNodeVersion('v24.21'), null);
  });
});

describe('the cache', () => {
  it('keeps each line in a folder of its own under .cache/node', () => {
    assert.equal(nodeCachePath(24), '.cache/node/24');
    assert.equal(cachedNodeBinary(22, '/tmp/c'), '/tmp/c/22/node_modules/node/bin/node');
    assert.equal(runtimeLabel(24), 'node24');
  });

  it("gives the host's own line as the host's Node, without installing anything", () => {
    const runtime = ensureNodeRuntime(hostNodeLine(), () => assert.fail('nothing to install'), '/nonexistent');
    assert.equal(runtime.execPath, process.execPath);
    assert.equal(runtime.version, process.version);
    assert.equal(runtime.label, `node${hostNodeLine()}`);
  });

  it('the server under another Node gets the arguments without --node', () => {
    assert.deepEqual(withoutNodeOption(['async', '--node', '24', '--port', '0']), ['async', '--port', '0']);
    assert.deepEqual(withoutNodeOption(['async', '--node=24']), ['async']);
  });
});

describe('a bad --node on the command line', () => {
  const cases: [keyof typeof ENTRIES, string[], RegExp][] = [
    ['bench', ['--node', '18'], /--node takes Node release lines/],
    ['server', ['async', '--node', 'latest'], /--node takes Node release lines/],
    ['server', ['async', '--node', '22,24'], /--node takes one Node release line/],
    ['profile', ['async', '--node', '22,24'], /--node takes one Node release line/],
  ];
  for (const [command, args, message] of cases) {
    it(`${command} ${args.join(' ')}: one line, exit 2`, () => {
      const run = spawnSync(process.execPath, [ENTRIES[command], ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.status, 2, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0] ?? '', message);
    });
  }
});
