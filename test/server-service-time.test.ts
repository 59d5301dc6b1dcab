/**
 * --cpu-us and --io-ms as distributions (servers/shared/service-time.ts): the parser, the seeded
 * sampler, the option table's round trip, the one-line mistakes of the CLIs, and the listening
 * line that reports what a server draws from.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { UsageError } from '../lib/cli.js';
import { parseOptions, toArgv } from '../lib/option-table.js';
import { seededRandom, streamSeed } from '../lib/seeded-random.js';
import { findWorkload } from '../bench/shared/scenarios.js';
import { SERVER_ENTRY } from '../servers/launch.js';
import { SERVER_OPTIONS } from '../servers/server-options.js';
import {
  CPU_US,
  IO_MS,
  parseServiceTime,
  sampler,
  serviceTimeMean,
  serviceTimeText,
  type ServiceTime,
} from '../servers/shared/service-time.js';
import { serverFixture } from './helpers/server-fixture.js';

const PROFILE_ENTRY = fileURLToPath(new URL('../bench/profile/main.js', import.meta.url));

function draws(time: ServiceTime, knob = CPU_US, count = 200_000, seed = 7): number[] {
  const draw = sampler(time, knob, seededRandom(seed));
  return Array.from({ length: count }, draw);
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

describe('the service-time syntax', () => {
  test('a plain number is a fixed cost, as before', () => {
    assert.equal(parseServiceTime('1000', CPU_US), 1000);
    assert.equal(parseServiceTime('0', IO_MS), 0);
    assert.equal(serviceTimeText(1000), '1000');
    assert.equal(serviceTimeMean(1000), 1000);
    assert.deepEqual(new Set(draws(1000, CPU_US, 1000)), new Set([1000]));
  });

  test('exp:MEAN and mix:P%:A:B read, and write back the same text', () => {
    for (const [text, parsed, expectedMean] of [
      ['exp:100', { kind: 'exp', mean: 100 }, 100],
      ['mix:98%:50:5000', { kind: 'mix', percent: 98, a: 50, b: 5000 }, 149],
      ['mix:99.5%:0:20000', { kind: 'mix', percent: 99.5, a: 0, b: 20000 }, 100],
    ] as const) {
      const time = parseServiceTime(text, CPU_US);
      assert.deepEqual(time, parsed);
      assert.equal(serviceTimeText(time), text);
      assert.equal(serviceTimeMean(time), expectedMean);
    }
  });

  test('bad specs are a UsageError of one line naming the option', () => {
    for (const text of [
      '',
      '-1',
      '1.5',
      'lots',
      '10000001',
      'exp:',
      'exp:0',
      'exp:1:2',
      'exp:-3',
      'mix:98:50:5000',
      'mix:0%:50:5000',
      'mix:100%:50:5000',
      'mix:98%:50',
      'mix:98%:50:x',
      'mix:98%:50:5000:1',
      'gauss:5',
    ]) {
      assert.throws(
        () => parseServiceTime(text, CPU_US),
        (error: unknown) =>
          error instanceof UsageError && error.message.startsWith('--cpu-us must be') && !error.message.includes('\n'),
        `'${text}'`,
      );
    }
    assert.throws(() => parseServiceTime('600001', IO_MS), /--io-ms must be .* from 0 to 600000/);
  });

  test("the option table reads a knob and writes it back for a child's command line", () => {
    const { values } = parseOptions(SERVER_OPTIONS, ['--cpu-us', 'mix:98%:50:5000', '--io-ms', '5'], true);
    assert.deepEqual(values.cpuUs, { kind: 'mix', percent: 98, a: 50, b: 5000 });
    assert.equal(values.ioMs, 5);
    assert.deepEqual(toArgv(SERVER_OPTIONS, { cpuUs: values.cpuUs, ioMs: values.ioMs, seed: 3 }), [
      '--cpu-us',
      'mix:98%:50:5000',
      '--io-ms',
      '5',
      '--seed',
      '3',
    ]);
  });

  test('the cpu-tail workload is the mix the docs name', () => {
    const tail = findWorkload('cpu-tail');
    assert.ok(tail);
    assert.equal(serviceTimeText(tail.cpuUs), 'mix:98%:50:5000');
    assert.equal(serviceTimeMean(tail.cpuUs), 149);
  });
});

describe('the sampler', () => {
  test('the same seed draws the same costs; another seed or stream, others', () => {
    const time = parseServiceTime('exp:100', CPU_US);
    assert.deepEqual(draws(time, CPU_US, 1000, 7), draws(time, CPU_US, 1000, 7));
    assert.notDeepEqual(draws(time, CPU_US, 1000, 7), draws(time, CPU_US, 1000, 8));
    const seeds = new Set([0, 1, 2, 3].flatMap((thread) => [1, 2].map((knob) => streamSeed(1, thread, knob))));
    assert.equal(seeds.size, 8, 'every thread and knob has a stream of its own');
    assert.equal(streamSeed(1, 2, 1), streamSeed(1, 2, 1));
  });

  test('exp draws have the mean asked for, within 2% over 200,000 draws', () => {
    const drawn = draws({ kind: 'exp', mean: 100 });
    assert.ok(Math.abs(mean(drawn) / 100 - 1) < 0.02, `mean ${mean(drawn)}`);
    // An exponential's median is ln 2 times its mean.
    const median = [...drawn].sort((a, b) => a - b)[drawn.length / 2] ?? 0;
    assert.ok(Math.abs(median / (100 * Math.LN2) - 1) < 0.03, `median ${median}`);
  });

  test('--io-ms draws are whole ms, and keep the mean', () => {
    const drawn = draws({ kind: 'exp', mean: 3 }, IO_MS);
    assert.ok(drawn.every((value) => Number.isInteger(value)));
    assert.ok(Math.abs(mean(drawn) / 3 - 1) < 0.02, `mean ${mean(drawn)}`);
  });

  test('mix draws give A in P% of the questions and B in the rest', () => {
    const drawn = draws({ kind: 'mix', percent: 98, a: 50, b: 5000 });
    assert.deepEqual(new Set(drawn), new Set([50, 5000]));
    const share = drawn.filter((value) => value === 50).length / drawn.length;
    assert.ok(Math.abs(share - 0.98) < 0.002, `share of A ${share}`);
    assert.ok(Math.abs(mean(drawn) / 149 - 1) < 0.03, `mean ${mean(drawn)}`);
  });
});

describe('the command lines', () => {
  const run = (entry: string, args: string[]): { status: number | null; stderr: string } => {
    const result = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 10_000 });
    return { status: result.status, stderr: result.stderr };
  };

  for (const [entry, name] of [
    [SERVER_ENTRY, 'server'],
    [PROFILE_ENTRY, 'profile'],
  ] as const) {
    test(`${name}: a bad distribution gets one line and exit 2`, () => {
      for (const args of [
        ['--cpu-us', 'mix:98:50:5000'],
        ['--io-ms', 'exp:0'],
      ]) {
        const result = run(entry, ['async', ...args]);
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`${args[0]} must be N, exp:MEAN or mix:P%:A:B`));
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      }
    });
  }

  const { start, connect } = serverFixture();
  for (const architecture of ['async', 'pool'] as const) {
    test(`${architecture}: the listening line gives the means as numbers, the specs and the seed; answers still come`, async () => {
      const server = await start({
        architecture,
        workers: 2,
        cpuUs: parseServiceTime('mix:50%:0:100', CPU_US),
        ioMs: parseServiceTime('exp:2', IO_MS),
        seed: 42,
      });
      const { listening } = server;
      assert.equal(listening.cpuUs, 50);
      assert.equal(listening.ioMs, 2);
      assert.equal(listening.cpuUsSpec, 'mix:50%:0:100');
      assert.equal(listening.ioMsSpec, 'exp:2');
      assert.equal(listening.seed, 42);
      const client = await connect(server);
      for (let i = 0; i < 20; i++) {
        assert.equal(await client.ask('Beautiful is better than?'), 'Ugly.');
      }
    });
  }
});
