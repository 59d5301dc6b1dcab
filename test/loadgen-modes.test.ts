/**
 * Every mode of the load generator against the real servers, started as their own processes
 * the way the bench runner starts them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadOptions, type LoadResult } from '../loadgen/index.js';
import { launchServer, type LaunchedServer } from '../servers/launch.js';

/** Short runs: these tests check behaviour, not performance. */
function options(server: LaunchedServer, overrides: Partial<LoadOptions>): LoadOptions {
  return { ...DEFAULT_LOAD_OPTIONS, host: '127.0.0.1', port: server.port, warmupS: 0.2, durationS: 1, ...overrides };
}

function assertNoErrors(result: LoadResult): void {
  assert.equal(result.errorTotal, 0, `errors: ${JSON.stringify(result.errors)}`);
}

describe('load generator against the async server', () => {
  let server: LaunchedServer;
  before(async () => {
    server = await launchServer({ architecture: 'async' });
  });
  after(async () => {
    await server?.stop();
  });

  test('closed mode keeps every connection busy and reports a consistent result', async () => {
    const result = await runLoad(options(server, { mode: 'closed', connections: 4, pipeline: 1 }));
    assertNoErrors(result);
    assert.equal(result.mode, 'closed');
    assert.ok(result.requests > 100, `only ${result.requests} answers`);
    assert.ok(Math.abs(result.durationS - 1) < 0.05, `window ${result.durationS} s`);
    // durationS is rounded to the millisecond in the result, hence the tolerance.
    assert.ok(Math.abs(result.throughput / (result.requests / result.durationS) - 1) < 0.002);
    assert.ok(result.latencyUs.p50 > 0 && result.latencyUs.p50 <= result.latencyUs.p99);
    assert.ok(result.latencyUs.p99 <= result.latencyUs.max);
    assert.equal(
      result.perSecond.answers.reduce((a, b) => a + b, 0),
      result.requests,
    );
    // The encoded histogram is the same data the percentiles were read from.
    assert.equal(decodeFromCompressedBase64(result.histogram).totalCount, result.requests);
    assert.ok(result.loadgenCpu.cpuSeconds > 0);
    assert.equal(typeof result.saturated, 'boolean');
    assert.equal(result.uncorrectedLatencyUs, undefined);
  });

  test('closed mode with a pipeline keeps that many questions in flight', async () => {
    const result = await runLoad(options(server, { mode: 'closed', connections: 2, pipeline: 16 }));
    assertNoErrors(result);
    assert.equal(result.pipeline, 16);
    assert.ok(result.requests > 1000, `only ${result.requests} answers`);
  });

  test('--requests stops the run after exactly that many answers', async () => {
    const result = await runLoad(options(server, { connections: 4, requests: 500, durationS: 5 }));
    assertNoErrors(result);
    assert.equal(result.requests, 500);
    assert.ok(result.durationS < 5);
  });

  test('conversation mode reconnects for every conversation and reports connect and conversation times', async () => {
    const result = await runLoad(options(server, { mode: 'conversation', connections: 4, questions: 3 }));
    assertNoErrors(result);
    assert.ok(result.requests > 30, `only ${result.requests} answers`);
    assert.ok(result.connectLatencyUs !== undefined && result.connectLatencyUs.p50 > 0);
    assert.ok(result.conversationLatencyUs !== undefined);
    // A conversation spans a connect and three round trips, so it outlasts one question.
    assert.ok(result.conversationLatencyUs.p50 > result.latencyUs.p50);
  });

  test('open mode sends at the asked rate and reports both latencies', async () => {
    // 250 questions/s a connection: far below what even a loaded machine answers, so the rate
    // achieved is the rate asked for.
    const result = await runLoad(options(server, { mode: 'open', connections: 4, rate: 1000 }));
    assertNoErrors(result);
    assert.equal(result.targetRate, 1000);
    assert.ok(
      result.achievedRate !== undefined && Math.abs(result.achievedRate - 1000) < 50,
      `achieved ${result.achievedRate}`,
    );
    assert.ok(Math.abs(result.throughput - 1000) < 50, `throughput ${result.throughput}`);
    assert.ok(result.uncorrectedLatencyUs !== undefined);
    // Measured from the due time, a question can only look slower than from its actual send.
    assert.ok(result.latencyUs.p99 >= result.uncorrectedLatencyUs.p99);
  });

  test('open mode with Poisson arrivals keeps the asked rate on average', async () => {
    // 2 s at 1000/s: about 2000 arrivals, whose count has a standard deviation of about 45.
    const result = await runLoad(
      options(server, { mode: 'open', connections: 4, rate: 1000, arrivals: 'poisson', seed: 7, durationS: 2 }),
    );
    assertNoErrors(result);
    assert.equal(result.arrivals, 'poisson');
    assert.ok(
      result.achievedRate !== undefined && Math.abs(result.achievedRate - 1000) < 150,
      `achieved ${result.achievedRate}`,
    );
  });

  test('--requests is shared out over the threads and still met exactly', async () => {
    const result = await runLoad(options(server, { connections: 4, threads: 2, requests: 601, durationS: 5 }));
    assertNoErrors(result);
    assert.equal(result.requests, 601);
  });

  test('--threads spreads the connections over worker threads and merges their results', async () => {
    const result = await runLoad(options(server, { connections: 4, threads: 2 }));
    assertNoErrors(result);
    assert.equal(result.threads, 2);
    assert.ok(result.requests > 100);
    assert.equal(decodeFromCompressedBase64(result.histogram).totalCount, result.requests);
    assert.equal(
      result.perSecond.answers.reduce((a, b) => a + b, 0),
      result.requests,
    );
  });
});

describe('load generator against the blocking server', () => {
  let server: LaunchedServer;
  before(async () => {
    server = await launchServer({ architecture: 'blocking' });
  });
  after(async () => {
    await server?.stop();
  });

  test('connections beyond the one being served are never answered, and say so', async () => {
    // The blocking server serves one connection at a time; the kernel accepts the others,
    // which then wait for the first to close, and in closed mode it never does.
    const result = await runLoad(options(server, { connections: 3, warmupS: 0, durationS: 1.5 }));
    assert.ok(result.requests > 100, `only ${result.requests} answers`);
    assert.equal(result.errors.unansweredConnections, 2, JSON.stringify(result.errors));
    assert.equal(result.errors.wrongAnswers, 0);
    assert.equal(result.errors.resets, 0);
  });

  test('in conversation mode the virtual users take turns and all get answers', async () => {
    const result = await runLoad(options(server, { mode: 'conversation', connections: 2 }));
    assertNoErrors(result);
    assert.ok(result.requests > 30);
  });
});
