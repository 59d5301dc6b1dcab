/**
 * The load generator over HTTP (--protocol http) passes what it passes over TCP
 * (loadgen-modes, loadgen-errors, loadgen-stall): every mode against the real servers
 * started with --protocol http, every answer checked (wrong bodies, wrong statuses, responses
 * cut across reads, chunked ones), the same error accounting and time bounds, and a stall
 * that shows in open mode's p99.
 *
 * Misbehaving servers are small node:http or node:net servers made here; the stalling one
 * runs in a process of its own (this file, started with ZENBENCH_FAKE_SERVER=http-stall), so
 * that its frozen event loop does not freeze the generator timing it.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child-process.js';
import { before, describe, test } from 'node:test';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadOptions, type LoadResult } from '../loadgen/index.js';
import { Framer } from '../protocol/framer.js';
import { answerFor, APHORISMS, MAX_QUESTION_BYTES, QUESTION_END } from '../protocol/zen.js';
import { launchServer, type LaunchedServer } from '../servers/launch.js';
import { serverFixture } from './helpers/server-fixture.js';

const STALL_EVERY_MS = 1000;
const STALL_MS = 200;
/** The fake server ends itself after this, should its parent somehow not stop it. */
const FAKE_SERVER_LIFETIME_MS = 60_000;

function options(port: number, overrides: Partial<LoadOptions>): LoadOptions {
  return {
    ...DEFAULT_LOAD_OPTIONS,
    protocol: 'http',
    host: '127.0.0.1',
    port,
    warmupS: 0.2,
    durationS: 1,
    ...overrides,
  };
}

function assertNoErrors(result: LoadResult): void {
  assert.equal(result.errorTotal, 0, `errors: ${JSON.stringify(result.errors)}`);
}

/** Reads a request's body, then answers it with `respond`. */
function zenHandler(respond: (question: Buffer, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => respond(Buffer.concat(chunks), response));
  };
}

function answerWith(response: ServerResponse, status: number, body: Buffer): void {
  response.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  response.end(body);
}

/** Runs `body` against a server, then closes the server and every connection it has, also when `body` throws. */
async function withServer<T>(server: Server, body: (port: number) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
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

function httpServer(respond: (question: Buffer, response: ServerResponse) => void): Server {
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, zenHandler(respond));
  return server;
}

/**
 * A node:net server that reads the generator's requests (each ends with its question's '?')
 * and answers each read with `reply`, given the questions that read completed.
 */
function rawServer(reply: (socket: Socket, questions: Buffer[]) => void): Server {
  return createNetServer((socket) => {
    const framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
    socket.on('data', (chunk: Buffer) => {
      const questions: Buffer[] = [];
      framer.push(chunk, (request) => {
        questions.push(request.subarray(request.indexOf('\r\n\r\n') + 4));
      });
      if (questions.length > 0) reply(socket, questions);
    });
  });
}

function nodeStyleResponse(body: Buffer): Buffer {
  const head =
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' +
    `Content-Length: ${body.length}\r\nDate: Mon, 23 Nov 2026 08:00:00 GMT\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A server that answers zen over HTTP and freezes its event loop for STALL_MS every STALL_EVERY_MS. */
function serveWithStalls(): void {
  const server = httpServer((question, response) => answerWith(response, 200, answerFor(question)));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', architecture: 'http-stall', host: '127.0.0.1', port, pid: process.pid, workers: 1 })}\n`,
    );
  });
  setInterval(() => {
    // A busy wait, not a timer: the whole event loop is frozen. Bounded by its own clock.
    const until = Date.now() + STALL_MS;
    while (Date.now() < until);
  }, STALL_EVERY_MS);
  setTimeout(() => process.exit(0), FAKE_SERVER_LIFETIME_MS).unref();
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env['ZENBENCH_FAKE_SERVER'] === 'http-stall') {
  serveWithStalls();
} else {
  describe('load over HTTP against the async server', () => {
    const servers = serverFixture();
    let server: LaunchedServer;
    before(async () => {
      server = await servers.start({ architecture: 'async', protocol: 'http' });
    });

    test('closed mode keeps every connection busy and reports a consistent result that says HTTP', async () => {
      const result = await runLoad(options(server.port, { mode: 'closed', connections: 4, pipeline: 1 }));
      assertNoErrors(result);
      assert.equal(result.protocol, 'http');
      assert.equal(result.mode, 'closed');
      assert.ok(result.requests > 100, `only ${result.requests} answers`);
      assert.ok(Math.abs(result.durationS - 1) < 0.05, `window ${result.durationS} s`);
      assert.ok(result.latencyUs.p50 > 0 && result.latencyUs.p50 <= result.latencyUs.p99);
      assert.equal(
        result.perSecond.answers.reduce((a, b) => a + b, 0),
        result.requests,
      );
      assert.equal(decodeFromCompressedBase64(result.histogram).totalCount, result.requests);
      assert.equal(typeof result.saturated, 'boolean');
    });

    test('closed mode with a pipeline of 16 gets every pipelined response, in order', async () => {
      const result = await runLoad(options(server.port, { mode: 'closed', connections: 2, pipeline: 16 }));
      assertNoErrors(result);
      assert.equal(result.pipeline, 16);
      assert.ok(result.requests > 1000, `only ${result.requests} answers`);
    });

    test('--requests stops the run after exactly that many answers', async () => {
      const result = await runLoad(options(server.port, { connections: 4, requests: 500, durationS: 5 }));
      assertNoErrors(result);
      assert.equal(result.requests, 500);
      assert.ok(result.durationS < 5);
    });

    test('conversation mode: a connection per conversation, its requests one at a time', async () => {
      const result = await runLoad(options(server.port, { mode: 'conversation', connections: 4, questions: 3 }));
      assertNoErrors(result);
      assert.ok(result.requests > 30, `only ${result.requests} answers`);
      assert.ok(result.connectLatencyUs !== undefined && result.connectLatencyUs.p50 > 0);
      assert.ok(result.conversationLatencyUs !== undefined);
      assert.ok(result.conversationLatencyUs.p50 > result.latencyUs.p50);
    });

    test('open mode sends at the asked rate and reports both latencies', async () => {
      const result = await runLoad(options(server.port, { mode: 'open', connections: 4, rate: 1000 }));
      assertNoErrors(result);
      assert.equal(result.targetRate, 1000);
      assert.ok(
        result.achievedRate !== undefined && Math.abs(result.achievedRate - 1000) < 50,
        `achieved ${result.achievedRate}`,
      );
      assert.ok(Math.abs(result.throughput - 1000) < 50, `throughput ${result.throughput}`);
      assert.ok(result.uncorrectedLatencyUs !== undefined);
      assert.ok(result.latencyUs.p99 >= result.uncorrectedLatencyUs.p99);
    });

    test('npm run load -- --protocol http --json: the CLI runs it and says so', async () => {
      const main = fileURLToPath(new URL('../loadgen/main.js', import.meta.url));
      const args = [
        '--protocol',
        'http',
        '--port',
        String(server.port),
        '--warmup',
        '0',
        '--duration',
        '0.5',
        '--json',
      ];
      const child = startChild({ command: [process.execPath, main, ...args], keepOutput: true });
      const exit = await child.waitForExit(15_000);
      if (exit === null) child.kill();
      assert.equal(exit?.code, 0, child.stderr());
      const result = JSON.parse(child.stdout()) as LoadResult;
      assert.equal(result.protocol, 'http');
      assert.ok(result.requests > 0);
    });

    test('--threads spreads the connections over worker threads and merges their results', async () => {
      const result = await runLoad(options(server.port, { connections: 4, threads: 2 }));
      assertNoErrors(result);
      assert.equal(result.threads, 2);
      assert.ok(result.requests > 100);
      assert.equal(decodeFromCompressedBase64(result.histogram).totalCount, result.requests);
    });
  });

  describe('load over HTTP against the blocking server', () => {
    const servers = serverFixture();
    let server: LaunchedServer;
    before(async () => {
      server = await servers.start({ architecture: 'blocking', protocol: 'http' });
    });

    test('keep-alive connections beyond the one being served are never answered, and say so', async () => {
      const result = await runLoad(options(server.port, { connections: 3, warmupS: 0, durationS: 1.5 }));
      assert.ok(result.requests > 100, `only ${result.requests} answers`);
      assert.equal(result.errors.unansweredConnections, 2, JSON.stringify(result.errors));
      assert.equal(result.errors.wrongAnswers, 0);
      assert.equal(result.errors.resets, 0);
    });

    test('in conversation mode the virtual users take turns and all get answers', async () => {
      const result = await runLoad(options(server.port, { mode: 'conversation', connections: 2 }));
      assertNoErrors(result);
      assert.ok(result.requests > 30);
    });
  });

  describe('load over HTTP: answers checked, errors counted', () => {
    test('a 200 with the wrong body is a wrong answer; right ones are still measured', async () => {
      const alwaysUgly = httpServer((_question, response) => answerWith(response, 200, APHORISMS[0]!.answer));
      const result = await withServer(alwaysUgly, (port) => runLoad(options(port, { connections: 2, warmupS: 0 })));
      assert.ok(result.requests > 0);
      // Questions cycle through the three aphorisms, so two answers in three are wrong.
      const ratio = result.errors.wrongAnswers / result.requests;
      assert.ok(ratio > 1.8 && ratio < 2.2, `wrong/right = ${ratio}`);
      assert.equal(result.errorTotal, result.errors.wrongAnswers);
    });

    test('the right body with a status other than 200 is a wrong answer', async () => {
      const created = httpServer((question, response) => answerWith(response, 201, answerFor(question)));
      const result = await withServer(created, (port) => runLoad(options(port, { connections: 2, warmupS: 0 })));
      assert.equal(result.requests, 0);
      assert.ok(result.errors.wrongAnswers > 100, JSON.stringify(result.errors));
      assert.equal(result.errorTotal, result.errors.wrongAnswers);
    });

    test('responses split over several reads are put together, not taken for wrong ones', async () => {
      // Each read's responses go out in two writes a moment apart, cut at a place that moves
      // on by 7 bytes every time, so cuts fall in status lines, headers and bodies alike.
      // Writes are chained to keep their order.
      let shift = 0;
      let previous = Promise.resolve();
      const inPieces = rawServer((socket, questions) => {
        socket.setNoDelay(true);
        const bytes = Buffer.concat(questions.map((question) => nodeStyleResponse(answerFor(question))));
        const cut = 1 + ((shift += 7) % (bytes.length - 1));
        previous = previous.then(async () => {
          if (socket.destroyed) return;
          socket.write(bytes.subarray(0, cut));
          await new Promise((resolve) => setTimeout(resolve, 1));
          if (!socket.destroyed) socket.write(bytes.subarray(cut));
        });
      });
      const result = await withServer(inPieces, (port) =>
        runLoad(options(port, { connections: 2, pipeline: 4, warmupS: 0 })),
      );
      assert.equal(result.errorTotal, 0, JSON.stringify(result.errors));
      assert.ok(result.requests > 100, `only ${result.requests} answers`);
    });

    test('chunked responses are read as well as Content-Length ones', async () => {
      const chunked = httpServer((question, response) => {
        // No Content-Length: node:http sends the body chunked, one chunk per write.
        const answer = answerFor(question);
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.write(answer.subarray(0, 2));
        response.end(answer.subarray(2));
      });
      const result = await withServer(chunked, (port) => runLoad(options(port, { connections: 2, pipeline: 2 })));
      assertNoErrors(result);
      assert.ok(result.requests > 100, `only ${result.requests} answers`);
    });

    test('a response whose body runs to the close is a wrong answer, and the connection is replaced', async () => {
      const unframed = rawServer((socket, questions) => {
        socket.end(
          Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), answerFor(questions[0]!)]),
        );
      });
      const result = await withServer(unframed, (port) => runLoad(options(port, { connections: 2, warmupS: 0 })));
      assert.equal(result.requests, 0);
      // One per connection at least; retries back off, so a second of this stays a modest count.
      assert.ok(result.errors.wrongAnswers >= 2, JSON.stringify(result.errors));
      assert.ok(result.errors.wrongAnswers < 100, JSON.stringify(result.errors));
    });

    test('a server that never answers gives timeouts and unanswered connections, not a hang', async () => {
      const silent = createNetServer((socket) => socket.resume());
      const started = performance.now();
      const result = await withServer(silent, (port) =>
        runLoad(options(port, { connections: 2, warmupS: 0, durationS: 1.2, timeoutMs: 300 })),
      );
      assert.ok(performance.now() - started < 2500);
      assert.equal(result.requests, 0);
      assert.equal(result.errors.timeouts, 2, JSON.stringify(result.errors));
      assert.equal(result.errors.unansweredConnections, 2);
    });

    test('a server that hangs up counts resets and unanswered connections, and is retried', async () => {
      const hangsUp = createNetServer((socket) => socket.once('data', () => socket.destroy()));
      const result = await withServer(hangsUp, (port) => runLoad(options(port, { connections: 2, warmupS: 0 })));
      assert.equal(result.requests, 0);
      assert.ok(result.errors.resets >= 2, JSON.stringify(result.errors));
      assert.ok(result.errors.unansweredConnections >= 2);
      assert.ok(result.errors.resets < 100, `${result.errors.resets} resets`);
    });

    test('a server killed mid-run gives a result with errors, on time', async () => {
      const server = await launchServer({ architecture: 'async', protocol: 'http' });
      try {
        const started = performance.now();
        const killer = setTimeout(() => server.child.kill('SIGKILL'), 700);
        const result = await runLoad(options(server.port, { connections: 4, durationS: 1.5 }));
        clearTimeout(killer);
        assert.ok(performance.now() - started < 2500, 'the run outlived its bound');
        assert.ok(result.requests > 0, 'no answers before the kill');
        assert.ok(result.errors.resets + result.errors.connectErrors > 0, JSON.stringify(result.errors));
        assert.ok(result.errorTotal > 0);
        assert.equal(result.perSecond.answers.at(-1), 0);
      } finally {
        await server.stop();
      }
    });
  });

  describe('load over HTTP against a server that stalls 200 ms every second', () => {
    const servers = serverFixture();
    let server: LaunchedServer;
    before(async () => {
      server = await servers.start({
        architecture: 'http-stall',
        entry: fileURLToPath(import.meta.url),
        env: { ...process.env, ZENBENCH_FAKE_SERVER: 'http-stall' },
      });
    });

    test('open mode shows the stall in its p99; closed mode hides it', async () => {
      const common = options(server.port, { warmupS: 0.3, durationS: 2 });
      const open = await runLoad({ ...common, mode: 'open', connections: 4, rate: 1000 });
      const closed = await runLoad({ ...common, mode: 'closed', connections: 16 });
      assert.equal(open.errorTotal, 0, JSON.stringify(open.errors));
      assert.equal(closed.errorTotal, 0, JSON.stringify(closed.errors));
      // As over TCP (loadgen-stall.test.ts): a fifth of the questions fall due during a stall
      // and wait for it, counted from when they were due.
      assert.ok(open.latencyUs.p99 >= 100_000, `open p99 ${open.latencyUs.p99} µs`);
      assert.ok(open.uncorrectedLatencyUs !== undefined);
      assert.ok(
        open.uncorrectedLatencyUs.p99 < open.latencyUs.p99 / 4,
        `uncorrected p99 ${open.uncorrectedLatencyUs.p99} µs`,
      );
      assert.ok(closed.requests > 2000, `closed mode had only ${closed.requests} answers`);
      assert.ok(closed.latencyUs.p99 < open.latencyUs.p99 / 4, `closed p99 ${closed.latencyUs.p99} µs`);
      assert.ok(
        closed.latencyUs.max >= 100_000,
        `closed max ${closed.latencyUs.max} µs: the stall is there, just rare`,
      );
    });
  });
}
