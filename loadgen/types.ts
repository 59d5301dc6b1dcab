/**
 * The load generator's contract: what a run is asked to do and what it reports.
 * The bench runner, the profiler and the regression check read these shapes; change them
 * only together with docs/load.md's description of the JSON result.
 */

import type { ProtocolName } from '../protocol/protocol-names.js';
import type { Arrivals } from './arrivals.js';

export type LoadMode = 'closed' | 'conversation' | 'open';
/** Zen's own framing over TCP, or zen over HTTP/1.1 (wire.ts). */
export type LoadProtocol = ProtocolName;

export interface LoadOptions {
  host: string;
  port: number;
  mode: LoadMode;
  protocol: LoadProtocol;
  /** Persistent connections (closed, open) or virtual users (conversation). */
  connections: number;
  /** Questions in flight per connection (closed mode). */
  pipeline: number;
  /** Questions per conversation (conversation mode). */
  questions: number;
  /** Questions per second over all connections (open mode). */
  rate: number;
  /** Open mode: questions evenly spaced, or as a Poisson process of the same rate. */
  arrivals: Arrivals;
  /** Open mode with Poisson arrivals: the same seed gives the same schedule. */
  seed: number;
  /** Seconds of load before measuring starts. */
  warmupS: number;
  /** Seconds measured; the run also stops after `requests` answers when that is set. */
  durationS: number;
  /** Stop after this many measured answers (0: no count limit, duration only). */
  requests: number;
  /** A question unanswered for this long counts as a timeout. */
  timeoutMs: number;
  /** Worker threads the connections are spread over (1: the calling thread's own). */
  threads: number;
  /** Targets other than loopback are refused unless this is set. */
  allowRemote: boolean;
  /**
   * Keep a latency histogram per timeline bucket and return them as `intervals` (for an
   * HdrHistogram interval log, interval-log.ts). Off unless asked: not a command-line option of
   * its own (`npm run load -- --interval-log FILE` sets it).
   */
  keepIntervals?: boolean;
}

/** Percentiles in microseconds, read from an HDR histogram. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Each kind of failure counted on its own. */
export interface ErrorCounts {
  /** An answer that is not the one the question asked for. */
  wrongAnswers: number;
  /** A connection attempt that failed (refused, unreachable). */
  connectErrors: number;
  /** A connection reset or closed by the server while questions were outstanding. */
  resets: number;
  /** A question that waited longer than timeoutMs for its answer. */
  timeouts: number;
  /** Connections that were open during the run and never received a single answer. */
  unansweredConnections: number;
}

export interface LoadgenCpu {
  /** CPU seconds the generator used during the measured window, all its threads. */
  cpuSeconds: number;
  /** Busiest thread's CPU use as a fraction of one core (0..1). */
  maxThreadCoreFraction: number;
  /** Busiest thread's event-loop utilisation (0..1). */
  maxEventLoopUtilization: number;
  /**
   * Busiest thread's time on a CPU plus time it was runnable but waiting for one, as a
   * fraction of the window (Linux only): above 0.9 the generator wanted a whole core.
   */
  maxThreadCpuDemandFraction?: number;
}

export interface Timeline {
  bucketMs: number;
  answers: number[];
  errors: number[];
  maxLatencyUs: number[];
}

export interface LoadResult {
  mode: LoadMode;
  protocol: LoadProtocol;
  host: string;
  port: number;
  connections: number;
  pipeline: number;
  threads: number;
  /** Length of the measured window in seconds (warm-up excluded). */
  durationS: number;
  /** Answers received in the measured window. */
  requests: number;
  /** Answers per second over the measured window. */
  throughput: number;
  /** Per-question latency; in open mode corrected for coordinated omission. */
  latencyUs: LatencySummary;
  /** Open mode only: latency measured from the actual send, as a naive generator would. */
  uncorrectedLatencyUs?: LatencySummary;
  /** Open mode only: the rate the requested schedule was asked for and actually sent. */
  targetRate?: number;
  /** Open mode only: how the questions were spaced. */
  arrivals?: Arrivals;
  achievedRate?: number;
  /**
   * Open mode only: questions the schedule put in the window per second, sent or not. With
   * Poisson arrivals it differs from targetRate by chance; achievedRate is judged against it.
   */
  scheduledRate?: number;
  /**
   * Open mode only: how far behind its own schedule the generator fell, in µs: the largest
   * delay of a question it had room to send (a full pipeline is the server's doing, not counted).
   */
  scheduleLagUs?: number;
  /** Conversation mode only: TCP connect time and whole-conversation latency. */
  connectLatencyUs?: LatencySummary;
  conversationLatencyUs?: LatencySummary;
  errors: ErrorCounts;
  /** Total of all error counts; the CLI exits non-zero when it is above 0. */
  errorTotal: number;
  /** Answers and errors in each second of the measured window. */
  perSecond: { answers: number[]; errors: number[] };
  /**
   * The window in finer buckets than perSecond: 100 ms each up to a minute, coarser beyond
   * (at most 600). Answers, errors and the slowest answer (µs, 0 in a bucket without answers)
   * of each bucket; the last bucket may be partial. Optional: results written before it have none.
   */
  timeline?: Timeline;
  /** True when the generator itself was the bottleneck (a thread above 90% of a core). */
  saturated: boolean;
  loadgenCpu: LoadgenCpu;
  /** The merged latency histogram, hdr-histogram-js base64 compressed encoding. */
  histogram: string;
  /** Only with keepIntervals: the latency histogram of each timeline bucket. */
  intervals?: IntervalHistograms;
}

/**
 * The latencies of each timeline bucket, every thread's merged: histograms[i] (hdr-histogram-js
 * base64 compressed, µs, corrected in open mode) covers [i * bucketMs, (i + 1) * bucketMs) from
 * windowStartEpochMs, the last one possibly partial; a bucket without answers has an empty one.
 */
export interface IntervalHistograms {
  windowStartEpochMs: number;
  bucketMs: number;
  /** Length of the measured window, ms: where the last interval ends. */
  windowMs: number;
  histograms: string[];
}
