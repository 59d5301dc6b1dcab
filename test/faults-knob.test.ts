/** The --fault knob: its parsing, and what a crash and a stall do to each architecture. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { UsageError } from '../lib/cli.js';
import { listProcessTree } from '../lib/process-tree.js';
import { SERVER_ENTRY } from '../servers/launch.js';
import { faultText, parseFault } from '../servers/shared/fault.js';
import { serverFixture } from './helpers/server-fixture.js';
import { TestClient } from './helpers/zen-client.js';

const { start, connect } = serverFixture();

describe('--fault parsing', () => {
  test('none, crash:N and stall:N:MS become typed values and read back', () => {
    assert.deepEqual(parseFault('none'), { kind: 'none' });
    assert.deepEqual(parseFault('crash:1000'), { kind: 'crash', every: 1000 });
    assert.deepEqual(parseFault('stall:7:250'), { kind: 'stall', every: 7, ms: 250 });
    for (const text of ['none', 'crash:1', 'stall:3:1000']) assert.equal(faultText(parseFault(text)), text);
  });

  test('bad values are one-line usage errors', () => {
    for (const text of ['', 'crash', 'crash:0', 'crash:1.5', 'crash:x', 'stall:5', 'stall:5:0', 'boom:1', 'none:1']) {
      assert.throws(
        () => parseFault(text),
        (error: unknown) => error instanceof UsageError && !error.message.includes('\n'),
        text,
      );
    }
  });

  test('the server refuses a bad --fault with one line and exit 2', () => {
    const result = spawnSync(process.execPath, [SERVER_ENTRY, 'async', '--fault', 'crash:0'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /--fault must be none, crash:N or stall:N:MS/);
  });
});

/** Asks one question on a fresh connection: the answer, or null when the connection broke first. */
async function askFresh(port: number): Promise<string | null> {
  let client: TestClient;
  try {
    client = await TestClient.connect(port);
  } catch {
    return null;
  }
  try {
    return await client.ask('Beautiful is better than?', 3000);
  } catch {
    return null;
  } finally {
    client.close();
  }
}

describe('--fault crash:N', () => {
  for (const architecture of ['async', 'blocking']) {
    test(`${architecture}: the Nth question ends the whole process with a non-zero status`, async () => {
      const server = await start({ architecture, fault: 'crash:3' });
      assert.equal(server.listening.fault, 'crash:3');
      const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
      assert.equal(await askFresh(server.port), 'Ugly.');
      assert.equal(await askFresh(server.port), 'Ugly.');
      assert.equal(await askFresh(server.port), null, 'the third question is never answered');
      const code = await exited;
      assert.notEqual(code, 0);
      assert.match(server.stderrTail(), /InjectedCrash/);
    });
  }

  test('cluster: the worker that takes the Nth question dies and the primary forks another', async () => {
    const server = await start({ architecture: 'cluster', workers: 2, fault: 'crash:2' });
    const before = listProcessTree(server.pid).slice(1);
    // Round robin spreads fresh connections over the two workers; the first worker's second
    // question crashes it (the other's first fault is much later).
    const answers: (string | null)[] = [];
    for (let i = 0; i < 4; i++) answers.push(await askFresh(server.port));
    assert.ok(answers.includes(null), `no question was left unanswered: ${JSON.stringify(answers)}`);
    let replaced = false;
    for (let i = 0; i < 100 && !replaced; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const now = listProcessTree(server.pid).slice(1);
      replaced = now.length === 2 && now.some((pid) => !before.includes(pid));
    }
    assert.ok(replaced, server.stderrTail());
    assert.match(server.stderrTail(), /cluster: worker \d+ died \(exit 1\), starting another/);
    assert.equal(await askFresh(server.port), 'Ugly.', 'the cluster serves on');
  });

  test('pool: the thread dies with its task, and the pool serves on', async () => {
    const server = await start({ architecture: 'pool', workers: 2, fault: 'crash:3' });
    assert.equal(await askFresh(server.port), 'Ugly.');
    assert.equal(await askFresh(server.port), 'Ugly.');
    assert.equal(await askFresh(server.port), null, 'the task on the dying thread is lost');
    // The fourth and fifth questions: before the sixth, the next one in three.
    assert.equal(await askFresh(server.port), 'Ugly.');
    assert.equal(await askFresh(server.port), 'Ugly.');
    assert.equal(server.child.exitCode, null, 'the process lives on');
    assert.match(server.stderrTail(), /question 3 of process \d+ crashes its thread/);
  });
});

describe('--fault stall:N:MS', () => {
  /** How long a second client waits for its answer while the first one's question stalls. */
  async function otherClientWaitMs(architecture: string): Promise<{ stalledMs: number; otherMs: number }> {
    const server = await start({ architecture, workers: 2, fault: 'stall:2:800' });
    const [a, b] = await Promise.all([connect(server), connect(server)]);
    assert.equal(await a.ask('Beautiful is better than?'), 'Ugly.');
    const begin = performance.now();
    const stalled = a.ask('Simple is better than?').then(() => performance.now() - begin);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const otherBegin = performance.now();
    await b.ask('Explicit is better than?', 3000);
    const otherMs = performance.now() - otherBegin;
    return { stalledMs: await stalled, otherMs };
  }

  test('async: the stall freezes every connection', async () => {
    const { stalledMs, otherMs } = await otherClientWaitMs('async');
    assert.ok(stalledMs >= 750, `the stalled question took ${stalledMs.toFixed(0)} ms`);
    assert.ok(otherMs >= 500, `another connection was answered after ${otherMs.toFixed(0)} ms, during the stall`);
  });

  test('pool: the stall blocks one thread, the other serves', async () => {
    const { stalledMs, otherMs } = await otherClientWaitMs('pool');
    assert.ok(stalledMs >= 750, `the stalled question took ${stalledMs.toFixed(0)} ms`);
    assert.ok(otherMs < 400, `another connection waited ${otherMs.toFixed(0)} ms`);
  });
});
