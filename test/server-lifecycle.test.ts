/** Starting and stopping: signals, the cluster's workers, and the mistakes a user can make. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchServer, SERVER_ENTRY, type LaunchedServer } from '../servers/launch.js';
import { isAlive, listProcessTree } from '../lib/process-tree.js';
import { findArchitecture, splitRunnable } from '../servers/registry.js';
import { unrunnableReason } from '../servers/shared/architecture.js';
import { TestClient } from './helpers/zen-client.js';
import { RUNNABLE_NAMES } from './helpers/architectures.js';
import { ensureNodeRuntime } from '../lib/node-runtimes.js';

/** A process's descendants: a cluster primary's workers. */
const childPids = (pid: number): number[] => listProcessTree(pid).slice(1);

const started: LaunchedServer[] = [];
after(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

function runServerCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SERVER_ENTRY, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('SIGTERM stops every server gracefully', () => {
  for (const architecture of RUNNABLE_NAMES) {
    test(`${architecture} answers what is in flight, exits 0 promptly, leaves no process`, async () => {
      const server = await launchServer({ architecture, workers: 2, ioMs: 300 });
      started.push(server);
      const workers = childPids(server.pid);
      if (architecture === 'cluster') assert.equal(workers.length, 2, 'a cluster of 2 should have 2 worker processes');
      const client = await TestClient.connect(server.port);
      client.send('Beautiful is better than?');
      await sleep(50);
      const begin = performance.now();
      const stopping = server.stop(5000);
      // The answer, then the server's end; then bytes the server no longer takes as questions,
      // and the client's own end, which the server must still see.
      await client.waitForClose(3000);
      client.send('Explicit is better than?');
      client.socket.end();
      const exit = await stopping;
      const took = performance.now() - begin;
      assert.deepEqual(exit, { code: 0, signal: null, graceful: true });
      // The answer is due 250 ms after the signal; the server then sees the client's end at
      // once, instead of waiting out the 3 s grace.
      assert.ok(took < 2000, `took ${took.toFixed(0)} ms`);
      assert.equal(client.received, 'Ugly.', 'the question in flight was answered before the exit');
      client.close();
      for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} outlived its primary`);
    });
  }

  test('a client that never reads does not hold the shutdown past 5 s', async () => {
    const server = await launchServer({ architecture: 'async' });
    started.push(server);
    const client = await TestClient.connect(server.port);
    client.socket.pause();
    client.send(Buffer.alloc(1 << 20, '?'));
    await sleep(300);
    const exit = await server.stop(5000);
    client.close();
    assert.equal(exit.code, 0);
  });
});

describe('cluster', () => {
  test('the primary replaces a worker that dies within 1 s, also with --port 0', async () => {
    // launchServer always asks for --port 0; --verbose makes each worker log its connections.
    const server = await launchServer({ architecture: 'cluster', workers: 2, verbose: true });
    started.push(server);
    let stderr = '';
    server.child.stderr?.on('data', (text: string) => (stderr += text));
    const [victim, survivor] = childPids(server.pid);
    assert.ok(victim !== undefined && survivor !== undefined);
    process.kill(victim, 'SIGKILL');
    const killed = performance.now();
    let replacement: number | undefined;
    for (let i = 0; i < 100 && replacement === undefined; i++) {
      await sleep(20);
      replacement = childPids(server.pid).find((pid) => pid !== victim && pid !== survivor);
    }
    assert.ok(replacement !== undefined, 'no replacement forked');
    // The replacement serves: with round robin, one of the next few connections reaches it.
    const asked: TestClient[] = [];
    let served = false;
    for (let round = 0; round < 60 && !served; round++) {
      const client = await TestClient.connect(server.port);
      asked.push(client);
      assert.equal(await client.ask('Explicit is better than?'), 'Implicit.');
      served = stderr.includes(`[${replacement}] connected`);
      if (!served) await sleep(50);
    }
    const took = performance.now() - killed;
    for (const client of asked) client.close();
    assert.ok(served, `worker ${replacement} never served; stderr: ${stderr}`);
    // 1 s promised; the slack is for the 2-core machine the test shares.
    assert.ok(took < 2500, `replaced and serving ${took.toFixed(0)} ms after the kill`);
    await sleep(500);
    const died = stderr.match(/died/g) ?? [];
    assert.equal(died.length, 1, stderr);
    assert.doesNotMatch(stderr, /in use|failed/);
    assert.deepEqual(childPids(server.pid).sort(), [survivor, replacement].sort());
  });

  test('a worker that keeps dying is restarted with backoff, then the primary stops with a message', async () => {
    const server = await launchServer({ architecture: 'cluster', workers: 1 });
    started.push(server);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    let stopped = false;
    void exited.then(() => (stopped = true));
    const replacedAfter: number[] = [];
    const seen = new Set<number>();
    for (let kills = 0; kills < 10 && !stopped; kills++) {
      const [worker] = childPids(server.pid);
      if (worker === undefined) break;
      seen.add(worker);
      process.kill(worker, 'SIGKILL');
      const killed = performance.now();
      for (let i = 0; i < 300 && !stopped; i++) {
        await sleep(10);
        const [next] = childPids(server.pid);
        if (next !== undefined && next !== worker) {
          seen.add(next);
          replacedAfter.push(performance.now() - killed);
          break;
        }
      }
    }
    const code = await Promise.race([exited, sleep(5000).then(() => 'running')]);
    assert.equal(
      code,
      1,
      `primary ${String(code)}; replaced after ${replacedAfter.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    assert.match(server.stderrTail(), /died 5 times within 60 s/);
    // Backoff: the fourth replacement waited at least 500 ms, the first none.
    assert.ok((replacedAfter[3] ?? 0) > 500, `replaced after ${replacedAfter.join(', ')} ms`);
    for (const pid of seen) assert.equal(isAlive(pid), false, `worker ${pid} outlived its primary`);
  });

  test('--schedule none lets the operating system spread connections', async () => {
    const server = await launchServer({ architecture: 'cluster', workers: 2, schedule: 'none' });
    started.push(server);
    assert.equal(server.listening.schedule, 'none');
    const client = await TestClient.connect(server.port);
    assert.equal(await client.ask('Simple is better than?'), 'Complex.');
    client.close();
  });
});

describe('an architecture that needs a newer Node', () => {
  const reuseport = findArchitecture('reuseport');
  assert.ok(reuseport !== undefined);

  test('says which version it needs, and runs from that version on', () => {
    assert.equal(unrunnableReason(reuseport, '20.20.2'), 'reuseport needs Node 22.12.0 or newer (this is 20.20.2)');
    assert.match(unrunnableReason(reuseport, '22.11.9') ?? '', /needs Node 22\.12\.0/);
    assert.equal(unrunnableReason(reuseport, '22.12.0'), null);
    assert.equal(unrunnableReason(reuseport, '24.1.0'), null);
    assert.equal(unrunnableReason(reuseport, '100.0.0'), null);
  });

  test(
    'on an older Node the server refuses in one line, exit 2',
    { skip: unrunnableReason(reuseport) === null },
    () => {
      const result = runServerCli(['reuseport', '--port', '0']);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /reuseport needs Node 22\.12\.0 or newer/);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    },
  );

  test('the bench is told why it is left out', () => {
    const { runnable, leftOut } = splitRunnable(['async', 'reuseport']);
    if (unrunnableReason(reuseport) === null) assert.deepEqual(runnable, ['async', 'reuseport']);
    else assert.deepEqual(leftOut, [{ name: 'reuseport', reason: unrunnableReason(reuseport) }]);
  });

  test("the bench judges by the servers' Nodes (--node), each of which must run it", () => {
    assert.deepEqual(splitRunnable(['async', 'reuseport'], ['24.1.0']), {
      runnable: ['async', 'reuseport'],
      leftOut: [],
    });
    assert.deepEqual(splitRunnable(['async', 'reuseport'], ['20.20.2', '24.1.0']), {
      runnable: ['async'],
      leftOut: [{ name: 'reuseport', reason: 'reuseport needs Node 22.12.0 or newer (this is 20.20.2)' }],
    });
  });

  test(
    'a bench or fault run left with nothing to measure says why in one line, exit 2, and writes nothing',
    { skip: unrunnableReason(reuseport) === null },
    () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'zenbench-nothing-'));
      try {
        for (const [entry, args] of [
          ['../bench/run/main.js', ['--servers', 'reuseport', '--suite', 'quick', '--out', out]],
          ['../bench/faults/main.js', ['--servers', 'reuseport', '--out', out]],
        ] as const) {
          const run = spawnSync(process.execPath, [fileURLToPath(new URL(entry, import.meta.url)), ...args], {
            encoding: 'utf8',
            timeout: 20_000,
          });
          assert.equal(run.status, 2, run.stderr);
          assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
          assert.match(run.stderr, /nothing to measure: reuseport needs Node 22\.12\.0 or newer/);
        }
        assert.deepEqual(readdirSync(out), []);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );

  test(
    'on an older Node, --node 24 runs it under Node 24 (installed into .cache/node on first use)',
    { skip: unrunnableReason(reuseport) === null, timeout: 120_000 },
    async () => {
      ensureNodeRuntime(24, () => undefined);
      const server = await launchServer({ architecture: 'reuseport', workers: 2, node: [24] });
      started.push(server);
      const client = await TestClient.connect(server.port);
      assert.equal(await client.ask('Beautiful is better than?'), 'Ugly.');
      client.close();
      const exit = await server.stop(5000);
      assert.equal(exit.code, 0);
    },
  );
});

describe('the listening line', () => {
  test('names the architecture, address, port and pid', async () => {
    const server = await launchServer({ architecture: 'pool', workers: 3, cpuUs: 5, ioMs: 1 });
    started.push(server);
    const { listening } = server;
    assert.equal(listening.event, 'listening');
    assert.equal(listening.architecture, 'pool');
    assert.equal(listening.host, '127.0.0.1');
    assert.ok(listening.port > 0);
    assert.equal(listening.pid, server.child.pid);
    assert.equal(listening.workers, 3);
    assert.equal(listening.cpuUs, 5);
    assert.equal(listening.ioMs, 1);
  });
});

describe("a user's mistakes get one line and a non-zero exit", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no architecture', [], /name an architecture/],
    ['an unknown architecture', ['threaded'], /unknown architecture 'threaded'/],
    ['a port out of range', ['async', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    ['a negative --cpu-us', ['async', '--cpu-us', '-1'], /--cpu-us/],
    ['a word for --io-ms', ['async', '--io-ms', 'lots'], /--io-ms/],
    ['a bad --schedule', ['cluster', '--schedule', 'random'], /--schedule must be one of rr, none/],
    ['an unknown option', ['async', '--processes', '4'], /--processes/],
  ];
  for (const [what, args, message] of cases) {
    test(what, () => {
      const result = runServerCli(args);
      assert.equal(result.status, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  }

  test('a port in use says so and exits 1', async () => {
    const server = await launchServer({ architecture: 'async' });
    started.push(server);
    for (const architecture of RUNNABLE_NAMES) {
      const result = runServerCli([architecture, '--port', String(server.port), '--workers', '1']);
      assert.equal(result.status, 1, `${architecture}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`port ${server.port} is in use`), architecture);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  test('--help documents every option', () => {
    const result = runServerCli(['--help']);
    assert.equal(result.status, 0);
    for (const option of [
      '--host',
      '--port',
      '--workers',
      '--schedule',
      '--cpu-us',
      '--io-ms',
      '--idle-timeout-s',
      '--question-timeout-s',
      '--verbose',
    ]) {
      assert.ok(result.stdout.includes(option), option);
    }
  });
});
