/**
 * How one load run is cut into per-thread shares, and what each thread reports back.
 * Both shapes cross the worker_threads boundary, so they hold plain data only.
 */
import type { Arrivals } from './arrivals.js';
import type { ErrorCounts, LoadMode, LoadOptions, LoadProtocol } from './types.js';

/** One thread's share of a run. Times are relative to the run's start. */
export interface ThreadPlan {
  mode: LoadMode;
  protocol: LoadProtocol;
  host: string;
  port: number;
  threadIndex: number;
  /** Connections (virtual users in conversation mode) this thread drives. */
  connections: number;
  /** Index of this thread's first connection among all threads' (open mode staggers on it). */
  firstConnection: number;
  totalConnections: number;
  pipeline: number;
  questions: number;
  /** Questions per second over all threads (open mode). */
  rate: number;
  arrivals: Arrivals;
  seed: number;
  warmupMs: number;
  durationMs: number;
  /** Measured answers after which this thread stops (0: duration only). */
  requestQuota: number;
  timeoutMs: number;
  /** Keep a latency histogram per timeline bucket (LoadOptions.keepIntervals). */
  keepIntervals: boolean;
}

/** CPU and event-loop use of one generator thread over its measured window. */
export interface ThreadUsage {
  /** Fraction of one core the thread itself used, or null where the OS cannot tell. */
  threadCoreFraction: number | null;
  /**
   * Time on a CPU plus time runnable but waiting for one, as a fraction of the window: how
   * much CPU the thread wanted. Null where the OS cannot tell.
   */
  threadCpuDemandFraction: number | null;
  eventLoopUtilization: number;
  /** CPU seconds of the whole process over the same window. */
  processCpuSeconds: number;
}

/** Histograms in hdr-histogram-js compressed base64, so they can be posted and merged. */
export interface EncodedHistograms {
  latency: string;
  uncorrected?: string;
  connect?: string;
  conversation?: string;
}

export interface ThreadReport {
  threadIndex: number;
  /** Correct answers received in the measured window. */
  answers: number;
  /** Questions written in the measured window (open mode's achieved rate). */
  sentInWindow: number;
  /** Open mode: questions the schedule put in the measured window, sent or not. */
  dueInWindow: number;
  /** Open mode: the largest delay of a question the generator had room to send, in ms. */
  maxScheduleLagMs: number;
  /** Length of this thread's measured window in milliseconds. */
  windowMs: number;
  errors: ErrorCounts;
  perSecondAnswers: number[];
  perSecondErrors: number[];
  /** The window in buckets of timeline.bucketMs: answers, errors and the slowest answer (µs) of each. */
  timeline: { bucketMs: number; answers: number[]; errors: number[]; maxLatencyUs: number[] };
  histograms: EncodedHistograms;
  /** With keepIntervals: when the window began (epoch ms) and each timeline bucket's latencies, encoded. */
  intervals?: { windowStartEpochMs: number; histograms: string[] };
  usage: ThreadUsage;
}

/** Main thread to worker: start the warm-up at this instant (epochNowMs()). */
export interface StartMessage {
  startEpochMs: number;
}

/** Worker to main thread. */
export type WorkerMessage = { kind: 'ready' } | { kind: 'report'; report: ThreadReport };

/** Spreads connections, and with them the open-mode rate and the request count, over threads. */
export function planThreads(options: LoadOptions): ThreadPlan[] {
  const plans: ThreadPlan[] = [];
  let firstConnection = 0;
  for (let threadIndex = 0; threadIndex < options.threads; threadIndex++) {
    const connections = share(options.connections, options.threads, threadIndex);
    plans.push({
      mode: options.mode,
      protocol: options.protocol,
      host: options.host,
      port: options.port,
      threadIndex,
      connections,
      firstConnection,
      totalConnections: options.connections,
      pipeline: options.pipeline,
      questions: options.questions,
      rate: options.rate,
      arrivals: options.arrivals,
      seed: options.seed,
      warmupMs: options.warmupS * 1000,
      durationMs: options.durationS * 1000,
      requestQuota: options.requests === 0 ? 0 : Math.max(1, share(options.requests, options.threads, threadIndex)),
      timeoutMs: options.timeoutMs,
      keepIntervals: options.keepIntervals === true,
    });
    firstConnection += connections;
  }
  return plans;
}

/** The index-th of `parts` near-equal whole shares of total; the first ones take the remainder. */
function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
