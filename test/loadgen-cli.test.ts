/** `npm run load`: its help, its refusal of bad options, its JSON output and exit codes. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runLoadCli } from './helpers/load-cli.js';
import { launchServer, type LaunchedServer } from '../servers/launch.js';

const EVERY_OPTION = [
  '--host',
  '--port',
  '--mode',
  '--protocol',
  '--connections',
  '--pipeline',
  '--questions',
  '--rate',
  '--warmup',
  '--duration',
  '--requests',
  '--timeout-ms',
  '--threads',
  '--allow-remote',
  '--json',
  '--help',
];

describe('load CLI', () => {
  test('--help documents every option', async () => {
    const outcome = await runLoadCli(['--help']);
    assert.equal(outcome.code, 0);
    for (const option of EVERY_OPTION) assert.ok(outcome.stdout.includes(option), `--help does not mention ${option}`);
  });

  for (const args of [
    ['--bogus'],
    ['--connections', 'many'],
    ['--mode', 'sideways'],
    ['--protocol', 'udp'],
    ['--pipeline', '0'],
    ['--host', '192.0.2.1'],
    ['--connections', '1', '--threads', '2'],
  ]) {
    test(`${args.join(' ')} exits 2 with a one-line error`, async () => {
      const outcome = await runLoadCli(args);
      assert.equal(outcome.code, 2);
      assert.equal(outcome.stdout, '');
      assert.equal(outcome.stderr.trimEnd().split('\n').length, 1, outcome.stderr);
      assert.match(outcome.stderr, /^zenbench load: /);
    });
  }

  describe('against a server', () => {
    let server: LaunchedServer;
    before(async () => {
      server = await launchServer({ architecture: 'async' });
    });
    after(async () => {
      await server?.stop();
    });

    test('--json prints exactly one JSON object, and exits 0 without errors', async () => {
      const outcome = await runLoadCli([
        '--port',
        String(server.port),
        '--warmup',
        '0',
        '--duration',
        '0.5',
        '--connections',
        '2',
        '--json',
      ]);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(outcome.stdout.trimEnd().split('\n').length, 1);
      const result = JSON.parse(outcome.stdout) as Record<string, unknown>;
      for (const field of [
        'mode',
        'protocol',
        'connections',
        'pipeline',
        'durationS',
        'requests',
        'throughput',
        'latencyUs',
        'errors',
        'saturated',
        'loadgenCpu',
        'histogram',
      ]) {
        assert.ok(field in result, `no ${field} in the JSON result`);
      }
      assert.equal(result['protocol'], 'tcp');
    });

    test('without --json it prints a table', async () => {
      const outcome = await runLoadCli([
        '--port',
        String(server.port),
        '--warmup',
        '0',
        '--duration',
        '0.3',
        '--mode',
        'open',
        '--rate',
        '500',
      ]);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.match(outcome.stdout, /throughput/);
      assert.match(outcome.stdout, /from actual send/);
    });
  });

  test('a run with errors exits 1', async () => {
    // Port 1 on loopback: nothing listens there, so every connect is refused.
    const outcome = await runLoadCli([
      '--port',
      '1',
      '--warmup',
      '0',
      '--duration',
      '0.3',
      '--connections',
      '1',
      '--json',
    ]);
    assert.equal(outcome.code, 1);
    const result = JSON.parse(outcome.stdout) as { errors: { connectErrors: number } };
    assert.ok(result.errors.connectErrors > 0);
  });
});
