/**
 * What makes each architecture itself: the blocking server's one-at-a-time service, and how
 * each spends --io-ms and --cpu-us. Bounds are generous: they show that a knob takes effect
 * the way the architecture dictates, on a 2-core machine that the test client shares.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LaunchedServer, LaunchOptions } from '../servers/launch.js';
import { serverFixture } from './helpers/server-fixture.js';

const { start, connect } = serverFixture();

/**
 * Milliseconds until both of two clients, each on its own connection, have their answer:
 * the best of two tries after a warm-up, since the machine is shared with the test runner.
 */
async function twoClientsAskingAtOnce(server: LaunchedServer): Promise<number> {
  await oneTry(server);
  return Math.min(await oneTry(server), await oneTry(server));
}

async function oneTry(server: LaunchedServer): Promise<number> {
  const [a, b] = await Promise.all([connect(server), connect(server)]);
  const begin = performance.now();
  // Each closes as soon as it has its answer: the blocking server serves B only after A is gone.
  await Promise.all([
    a.ask('Beautiful is better than?').then(() => a.close()),
    b.ask('Simple is better than?').then(() => b.close()),
  ]);
  return performance.now() - begin;
}

describe('blocking serves one connection at a time', () => {
  test("while A holds its connection, B's question waits; once A closes, B is answered", async () => {
    const server = await start({ architecture: 'blocking' });
    const a = await connect(server);
    assert.equal(await a.ask('Beautiful is better than?'), 'Ugly.');
    const b = await connect(server); // the kernel completes B's handshake
    b.send('Simple is better than?');
    await sleep(500);
    assert.equal(b.received, '', 'B was answered while A still held the server');
    assert.equal(await a.ask('Explicit is better than?'), 'Implicit.');
    a.close();
    assert.deepEqual(await b.waitForAnswers(1, 2000), ['Complex.']);
  });
});

describe('--io-ms is spent the way each architecture dictates', () => {
  const IO_MS = 100;

  test('blocking: two clients wait one after the other', async () => {
    const server = await start({ architecture: 'blocking', ioMs: IO_MS });
    // B can only be served after A closes, so A closes as soon as it has its answer.
    const elapsed = await twoClientsAskingAtOnce(server);
    assert.ok(elapsed >= 2 * IO_MS, `both answered after ${elapsed.toFixed(0)} ms; the waits should add up`);
  });

  for (const architecture of ['async', 'cluster', 'pool']) {
    test(`${architecture}: two clients wait at the same time`, async () => {
      const server = await start({ architecture, ioMs: IO_MS, workers: 2 });
      const elapsed = await twoClientsAskingAtOnce(server);
      assert.ok(elapsed >= IO_MS, `answered after ${elapsed.toFixed(0)} ms, before the simulated I/O could end`);
      assert.ok(elapsed < 1.8 * IO_MS, `both answered after ${elapsed.toFixed(0)} ms; the waits should overlap`);
    });
  }

  test('async: the event loop serves others while a question waits', async () => {
    const server = await start({ architecture: 'async', ioMs: 1000 });
    const slow = await connect(server);
    slow.send('Beautiful is better than?');
    await sleep(50);
    // With the simulated I/O awaited, the second client gets no answer sooner: every
    // question waits 1 s, but concurrently, so two questions take ~1 s, not ~2 s.
    const other = await connect(server);
    const begin = performance.now();
    await other.ask('Simple is better than?');
    assert.deepEqual(await slow.waitForAnswers(1, 3000), ['Ugly.']);
    assert.ok(performance.now() - begin < 1800);
  });
});

describe('--cpu-us is spent the way each architecture dictates', () => {
  const CPU_US = 100_000;

  /** One question alone, then two at once: how much longer two take tells what ran in parallel. */
  async function slowdownOfTwo(options: LaunchOptions): Promise<{ one: number; two: number }> {
    const server = await start({ ...options, cpuUs: CPU_US, workers: 2 });
    const warm = await connect(server);
    await warm.ask('Beautiful is better than?'); // JIT warm-up
    const begin = performance.now();
    await warm.ask('Beautiful is better than?');
    const one = performance.now() - begin;
    warm.close();
    const two = await twoClientsAskingAtOnce(server);
    return { one, two };
  }

  for (const architecture of ['blocking', 'async']) {
    test(`${architecture}: one thread, so two questions' work adds up`, async () => {
      const { one, two } = await slowdownOfTwo({ architecture });
      assert.ok(two >= 1.7 * one, `one question ${one.toFixed(0)} ms, two at once ${two.toFixed(0)} ms`);
    });
  }

  for (const architecture of ['pool', 'cluster']) {
    test(`${architecture}: two workers on two cores work in parallel`, async () => {
      const { one, two } = await slowdownOfTwo({ architecture });
      assert.ok(two < 1.5 * one, `one question ${one.toFixed(0)} ms, two at once ${two.toFixed(0)} ms`);
    });
  }
});
