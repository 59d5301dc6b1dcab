/**
 * What the load generator does when the server misbehaves: every kind of failure is counted
 * on its own, the run still ends within its time bound, and runLoad resolves instead of
 * throwing. The misbehaving servers are tiny node:net servers made here.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS, isLoopbackHost, LoadOptionsError, runLoad, type LoadOptions } from '../loadgen/index.js';
import { Framer } from '../protocol/framer.js';
import { answerFor, APHORISMS, MAX_QUESTION_BYTES, QUESTION_END } from '../protocol/zen.js';
import { launchServer } from '../servers/launch.js';

type Behaviour = (socket: Socket) => void;

/** Runs `body` against a server that treats every connection with `behaviour`, then closes it. */
async function withFakeServer<T>(behaviour: Behaviour, body: (port: number) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    behaviour(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  try {
    return await body(address.port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Answers every question with the first aphorism's answer: right one time in three. */
const answersUglyAlways: Behaviour = (socket) => {
  const framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
  socket.on('data', (chunk: Buffer) => {
    framer.push(chunk, () => socket.write(APHORISMS[0]!.answer));
  });
};

/**
 * Right answers, but the answers to each read are written in two pieces a moment apart, cut
 * in the middle of an answer, so they reach the generator split across reads. Writes are
 * chained to keep their order.
 */
const answersInPieces: Behaviour = (socket) => {
  socket.setNoDelay(true);
  const framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
  let previous = Promise.resolve();
  socket.on('data', (chunk: Buffer) => {
    const answers: Buffer[] = [];
    framer.push(chunk, (question) => {
      answers.push(answerFor(question));
    });
    const bytes = Buffer.concat(answers);
    const cut = Math.floor(bytes.length / 2) + 1;
    previous = previous.then(async () => {
      if (socket.destroyed) return;
      socket.write(bytes.subarray(0, cut));
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!socket.destroyed) socket.write(bytes.subarray(cut));
    });
  });
};

/** Reads the questions and never answers. */
const neverAnswers: Behaviour = (socket) => {
  socket.resume();
};

/** Closes every connection as soon as its first question arrives. */
const hangsUpAtOnce: Behaviour = (socket) => {
  socket.once('data', () => socket.destroy());
};

function options(port: number, overrides: Partial<LoadOptions>): LoadOptions {
  return { ...DEFAULT_LOAD_OPTIONS, host: '127.0.0.1', port, warmupS: 0, durationS: 1, ...overrides };
}

describe('load generator error accounting', () => {
  test('wrong answers are caught and counted, right ones still measured', async () => {
    const result = await withFakeServer(answersUglyAlways, (port) => runLoad(options(port, { connections: 2 })));
    assert.ok(result.errors.wrongAnswers > 0, JSON.stringify(result.errors));
    assert.ok(result.requests > 0);
    // Questions cycle through the three aphorisms, so two answers in three are wrong.
    const ratio = result.errors.wrongAnswers / result.requests;
    assert.ok(ratio > 1.8 && ratio < 2.2, `wrong/right = ${ratio}`);
    assert.equal(result.errorTotal, result.errors.wrongAnswers);
  });

  test('answers split over several reads are put together, not taken for wrong ones', async () => {
    const result = await withFakeServer(answersInPieces, (port) =>
      runLoad(options(port, { connections: 2, pipeline: 4 })),
    );
    assert.equal(result.errorTotal, 0, JSON.stringify(result.errors));
    assert.ok(result.requests > 100, `only ${result.requests} answers`);
  });

  test('a server that never answers gives timeouts and unanswered connections, not a hang', async () => {
    const started = performance.now();
    const result = await withFakeServer(neverAnswers, (port) =>
      runLoad(options(port, { connections: 2, durationS: 1.2, timeoutMs: 300 })),
    );
    assert.ok(performance.now() - started < 2500);
    assert.equal(result.requests, 0);
    assert.equal(result.errors.timeouts, 2, JSON.stringify(result.errors));
    assert.equal(result.errors.unansweredConnections, 2);
  });

  test('a server that hangs up counts resets and unanswered connections, and is retried', async () => {
    const result = await withFakeServer(hangsUpAtOnce, (port) => runLoad(options(port, { connections: 2 })));
    assert.equal(result.requests, 0);
    assert.ok(result.errors.resets >= 2, JSON.stringify(result.errors));
    assert.ok(result.errors.unansweredConnections >= 2);
    // Retries back off, so a second of this stays a modest count.
    assert.ok(result.errors.resets < 100, `${result.errors.resets} resets`);
  });

  test('nothing listening gives connect errors within the time bound', async () => {
    const port = await withFakeServer(neverAnswers, async (freePort) => freePort);
    const started = performance.now();
    const result = await runLoad(options(port, { connections: 3 }));
    assert.ok(performance.now() - started < 2000);
    assert.equal(result.requests, 0);
    assert.ok(result.errors.connectErrors >= 3, JSON.stringify(result.errors));
    assert.ok(result.errorTotal > 0);
  });

  test('a server killed mid-run gives a result with errors, on time', async () => {
    const server = await launchServer({ architecture: 'async' });
    try {
      const started = performance.now();
      const killer = setTimeout(() => server.child.kill('SIGKILL'), 700);
      const result = await runLoad(options(server.port, { connections: 4, warmupS: 0.2, durationS: 1.5 }));
      clearTimeout(killer);
      assert.ok(performance.now() - started < 2500, 'the run outlived its bound');
      assert.ok(result.requests > 0, 'no answers before the kill');
      assert.ok(result.errors.resets + result.errors.connectErrors > 0, JSON.stringify(result.errors));
      assert.ok(result.errorTotal > 0);
      // The answers stop in the second the server died.
      assert.equal(result.perSecond.answers.at(-1), 0);
    } finally {
      await server.stop();
    }
  });
});

describe('load generator options', () => {
  test('loopback means 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      assert.ok(isLoopbackHost(host), host);
    }
    for (const host of ['10.0.0.1', '128.0.0.1', '::2', 'example.com', '0.0.0.0', '::ffff:10.0.0.1']) {
      assert.ok(!isLoopbackHost(host), host);
    }
  });

  test('targets other than loopback are refused unless allowed', async () => {
    await assert.rejects(runLoad(options(1060, { host: '192.0.2.1' })), LoadOptionsError);
    await assert.rejects(runLoad(options(1060, { host: 'example.com' })), LoadOptionsError);
  });

  test('options that cannot be run are refused before any traffic', async () => {
    await assert.rejects(runLoad(options(1060, { connections: 2, threads: 3 })), LoadOptionsError);
    await assert.rejects(runLoad(options(1060, { pipeline: 0 })), LoadOptionsError);
    await assert.rejects(runLoad(options(0, {})), LoadOptionsError);
  });
});
