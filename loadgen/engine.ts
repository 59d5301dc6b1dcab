/**
 * One thread's part of a run: it opens its connections, keeps the clock (warm-up, measured
 * window, timeouts, open mode's schedule), and stops everything at the end of the window, so
 * that a run never outlasts its bounds whatever the server does.
 */
import { performance } from 'node:perf_hooks';
import { ClosedConnection } from './closed.js';
import type { ConnectionContext, ZenConnection } from './connection.js';
import { ConversationUser } from './conversation.js';
import { encodeHistogram } from './histogram.js';
import { gapSource } from './arrivals.js';
import { OpenConnection } from './open.js';
import type { EncodedHistograms, ThreadPlan, ThreadReport } from './plan.js';
import { Recorder } from './recorder.js';
import { sampleUsage, usageBetween, type UsageSample } from './self-usage.js';
import { makeWire } from './wire.js';

/** Large enough for many pipelined answers in one read, small enough to stay in cache. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Open mode's scheduler tick: the finest a Node timer goes. */
const SCHEDULE_TICK_MS = 1;

/** Milliseconds since the Unix epoch, as precise as performance.now(), comparable across threads. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs the thread's share of the load. `startEpochMs` (from epochNowMs(), possibly taken in
 * another thread) is when the warm-up began for all threads alike.
 */
export function runThread(plan: ThreadPlan, startEpochMs: number): Promise<ThreadReport> {
  return new Promise((resolve) => {
    const runStart = startEpochMs - performance.timeOrigin;
    const windowStart = runStart + plan.warmupMs;
    const windowEnd = windowStart + plan.durationMs;
    let stopped = false;
    const recorder = new Recorder(
      windowStart,
      windowEnd,
      plan.requestQuota,
      () => setImmediate(stop),
      plan.keepIntervals,
    );
    const context: ConnectionContext = {
      host: plan.host,
      port: plan.port,
      timeoutMs: plan.timeoutMs,
      recorder,
      wire: makeWire(plan.protocol, { host: plan.host, port: plan.port, maxBatch: plan.pipeline }),
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      runMs: plan.warmupMs + plan.durationMs,
    };
    const openConnections: OpenConnection[] = [];
    const connections: ZenConnection[] = [];
    for (let index = 0; index < plan.connections; index++) {
      connections.push(makeConnection(plan, context, runStart, index, openConnections));
    }

    const runStartUsage = sampleUsage();
    let windowStartUsage: UsageSample | null = null;
    const timers: NodeJS.Timeout[] = [];
    const untilWindow = windowStart - performance.now();
    if (untilWindow <= 0) windowStartUsage = runStartUsage;
    else {
      timers.push(
        setTimeout(() => {
          windowStartUsage = sampleUsage();
        }, untilWindow),
      );
    }
    timers.push(setTimeout(stop, Math.max(0, windowEnd - performance.now())));
    const sweepEveryMs = Math.min(200, Math.max(10, plan.timeoutMs / 5));
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (const connection of connections) connection.sweepTimeouts(now);
    }, sweepEveryMs);
    const scheduler =
      openConnections.length === 0
        ? null
        : setInterval(() => {
            const now = performance.now();
            for (const connection of openConnections) {
              recorder.scheduleLag(now, connection.scheduleLagMs(now));
              connection.pump(now);
            }
          }, SCHEDULE_TICK_MS);

    for (const connection of connections) connection.start();

    function stop(): void {
      if (stopped) return;
      stopped = true;
      const now = performance.now();
      const endUsage = sampleUsage();
      for (const timer of timers) clearTimeout(timer);
      clearInterval(sweeper);
      if (scheduler !== null) clearInterval(scheduler);
      for (const connection of connections) connection.sweepTimeouts(now);
      for (const connection of connections) connection.finish(now);
      const windowMs = Math.max(0, Math.min(recorder.windowEnd, now) - windowStart);
      const windowClose = windowStart + windowMs;
      let dueInWindow = 0;
      for (const connection of openConnections) dueInWindow += connection.dueBetween(windowStart, windowClose);
      const seconds = Math.max(1, Math.ceil(windowMs / 1000));
      const intervals = recorder.intervalHistograms(bucketsOf(recorder, windowMs));
      resolve({
        threadIndex: plan.threadIndex,
        answers: recorder.answers,
        sentInWindow: recorder.sentInWindow,
        dueInWindow,
        maxScheduleLagMs: recorder.maxScheduleLagMs,
        windowMs,
        errors: { ...recorder.errors },
        perSecondAnswers: Array.from(recorder.perSecondAnswers.subarray(0, seconds)),
        perSecondErrors: Array.from(recorder.perSecondErrors.subarray(0, seconds)),
        timeline: timelineOf(recorder, windowMs),
        histograms: encodeAll(plan, recorder),
        ...(intervals === null
          ? {}
          : { intervals: { windowStartEpochMs: startEpochMs + plan.warmupMs, histograms: intervals } }),
        usage: usageBetween(windowStartUsage ?? runStartUsage, endUsage),
      });
    }
  });
}

function makeConnection(
  plan: ThreadPlan,
  context: ConnectionContext,
  runStart: number,
  index: number,
  openConnections: OpenConnection[],
): ZenConnection {
  switch (plan.mode) {
    case 'closed':
      return new ClosedConnection(context, plan.pipeline);
    case 'conversation':
      return new ConversationUser(context, plan.questions);
    case 'open': {
      // Every connection asks at rate/connections; their schedules are staggered so that the
      // questions of all of them together arrive evenly, 1/rate apart (on average, with
      // Poisson arrivals, each connection's gaps drawn from a seed of its own).
      const intervalMs = (1000 * plan.totalConnections) / plan.rate;
      const connectionIndex = plan.firstConnection + index;
      const firstDueAt = runStart + (connectionIndex * 1000) / plan.rate;
      const gaps = gapSource(plan.arrivals, intervalMs, plan.seed + connectionIndex);
      const connection = new OpenConnection(context, plan.pipeline, firstDueAt, gaps);
      openConnections.push(connection);
      return connection;
    }
  }
}

function bucketsOf(recorder: Recorder, windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / recorder.bucketMs));
}

/** The recorder's buckets up to the end of the window (earlier than planned when a quota ended it). */
function timelineOf(recorder: Recorder, windowMs: number): ThreadReport['timeline'] {
  const buckets = bucketsOf(recorder, windowMs);
  return {
    bucketMs: recorder.bucketMs,
    answers: Array.from(recorder.bucketAnswers.subarray(0, buckets)),
    errors: Array.from(recorder.bucketErrors.subarray(0, buckets)),
    maxLatencyUs: Array.from(recorder.bucketMaxLatencyUs.subarray(0, buckets)),
  };
}

function encodeAll(plan: ThreadPlan, recorder: Recorder): EncodedHistograms {
  const histograms: EncodedHistograms = { latency: encodeHistogram(recorder.latency) };
  if (plan.mode === 'open') histograms.uncorrected = encodeHistogram(recorder.uncorrected);
  if (plan.mode === 'conversation') {
    histograms.connect = encodeHistogram(recorder.connect);
    histograms.conversation = encodeHistogram(recorder.conversation);
  }
  return histograms;
}
