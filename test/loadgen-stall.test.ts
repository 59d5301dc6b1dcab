/**
 * Coordinated omission, shown: a server that freezes for 200 ms every second, measured in
 * open mode and in closed mode.
 *
 * The stalling server runs in its own process (this same file, started with
 * ZENBENCH_FAKE_SERVER=stall), so its frozen event loop freezes only the server and never the
 * generator that is timing it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS, runLoad } from '../loadgen/index.js';
import { Framer } from '../protocol/framer.js';
import { answerFor, MAX_QUESTION_BYTES, QUESTION_END } from '../protocol/zen.js';
import { launchServer, type LaunchedServer } from '../servers/launch.js';

const STALL_EVERY_MS = 1000;
const STALL_MS = 200;
/** The fake server ends itself after this, should its parent somehow not stop it. */
const FAKE_SERVER_LIFETIME_MS = 60_000;

function serveWithStalls(): void {
  const server = createServer((socket) => {
    const framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (!framer.push(chunk, (question) => socket.write(answerFor(question)))) socket.destroy();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', architecture: 'stall', host: '127.0.0.1', port, pid: process.pid, workers: 1 })}\n`,
    );
  });
  setInterval(() => {
    // A busy wait, not a timer: the whole event loop is frozen, as in a long GC pause or a
    // synchronous call gone slow. Bounded by its own clock.
    const until = Date.now() + STALL_MS;
    while (Date.now() < until);
  }, STALL_EVERY_MS);
  setTimeout(() => process.exit(0), FAKE_SERVER_LIFETIME_MS).unref();
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env['ZENBENCH_FAKE_SERVER'] === 'stall') {
  serveWithStalls();
} else {
  describe('a server that stalls 200 ms every second', () => {
    let server: LaunchedServer;
    before(async () => {
      server = await launchServer({
        architecture: 'stall',
        entry: fileURLToPath(import.meta.url),
        env: { ...process.env, ZENBENCH_FAKE_SERVER: 'stall' },
      });
    });
    after(async () => {
      await server?.stop();
    });

    test('open mode shows the stall in its p99; closed mode hides it', async () => {
      const common = { ...DEFAULT_LOAD_OPTIONS, host: '127.0.0.1', port: server.port, warmupS: 0.3, durationS: 2 };
      const open = await runLoad({ ...common, mode: 'open', connections: 4, rate: 1000 });
      const closed = await runLoad({ ...common, mode: 'closed', connections: 16 });
      assert.equal(open.errorTotal, 0, JSON.stringify(open.errors));
      assert.equal(closed.errorTotal, 0, JSON.stringify(closed.errors));

      // Open mode: during each stall 200 questions fall due and wait, the first for 200 ms,
      // the last for almost none; that is a fifth of all questions, so the 99th percentile
      // lands among them, near 190 ms. The latency is taken from when each was due, so the
      // wait in the queue counts, as it would for a user.
      assert.ok(open.latencyUs.p99 >= 100_000, `open p99 ${open.latencyUs.p99} µs`);
      // Timed from the actual send, only the one question per connection caught in the stall
      // looks slow; the ones queued behind it look fast. That is coordinated omission.
      assert.ok(open.uncorrectedLatencyUs !== undefined);
      assert.ok(
        open.uncorrectedLatencyUs.p99 < open.latencyUs.p99 / 4,
        `uncorrected p99 ${open.uncorrectedLatencyUs.p99} µs`,
      );

      // Closed mode: the generator itself waits out the stall. Each of the 16 connections has
      // one question caught in it, and it asks nothing more until that is answered, so a
      // second holds 16 slow answers among many thousands of fast ones and the p99 never
      // sees the stall: the generator was coordinated with the server, and omitted exactly
      // the questions a real user would have asked meanwhile.
      assert.ok(closed.requests > 5000, `closed mode had only ${closed.requests} answers`);
      assert.ok(closed.latencyUs.p99 < open.latencyUs.p99 / 4, `closed p99 ${closed.latencyUs.p99} µs`);
      assert.ok(
        closed.latencyUs.max >= 100_000,
        `closed max ${closed.latencyUs.max} µs: the stall is there, just rare`,
      );
    });
  });
}
