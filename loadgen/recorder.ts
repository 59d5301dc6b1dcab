/**
 * One thread's tally of a run: latencies, answers and errors, kept only for the measured
 * window (errors are counted for the whole run, warm-up included, because a wrong answer is
 * wrong whenever it comes). Every method here is on the hot path and allocates nothing, but
 * for the encoding of an interval's histogram once per interval when those are kept.
 */
import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, newLatencyHistogram } from './histogram.js';
import type { ErrorCounts } from './types.js';

export type ErrorKind = keyof ErrorCounts;

/** The timeline's finest bucket; longer windows get coarser ones, at most MAX_TIMELINE_BUCKETS. */
export const TIMELINE_BUCKET_MS = 100;
const MAX_TIMELINE_BUCKETS = 600;

/** The timeline's bucket for a window of this length: 100 ms up to a minute, then coarser. */
export function timelineBucketMs(windowMs: number): number {
  return Math.max(
    TIMELINE_BUCKET_MS,
    Math.ceil(windowMs / MAX_TIMELINE_BUCKETS / TIMELINE_BUCKET_MS) * TIMELINE_BUCKET_MS,
  );
}

export class Recorder {
  /** Per-question latency; in open mode measured from the intended send time. */
  readonly latency: Histogram = newLatencyHistogram();
  /** Open mode: latency from the actual send. */
  readonly uncorrected: Histogram = newLatencyHistogram();
  /** Conversation mode: connect time and whole-conversation time. */
  readonly connect: Histogram = newLatencyHistogram();
  readonly conversation: Histogram = newLatencyHistogram();
  readonly errors: ErrorCounts = {
    wrongAnswers: 0,
    connectErrors: 0,
    resets: 0,
    timeouts: 0,
    unansweredConnections: 0,
  };
  answers = 0;
  sentInWindow = 0;
  /** Open mode: the largest delay, in the window, of a question the generator had room to send (ms). */
  maxScheduleLagMs = 0;
  readonly perSecondAnswers: Int32Array;
  readonly perSecondErrors: Int32Array;
  /** The same in finer buckets (timelineBucketMs), with the slowest answer of each, in µs. */
  readonly bucketMs: number;
  readonly bucketAnswers: Int32Array;
  readonly bucketErrors: Int32Array;
  readonly bucketMaxLatencyUs: Float64Array;
  /** Where the window ends: its planned end, or earlier when the request quota is met. */
  windowEnd: number;
  /**
   * With interval histograms kept: each bucket's latencies, encoded as the bucket is left
   * (answers come in time order within a thread, so a bucket once left gets no more), and
   * the one histogram of the bucket being filled; null when they are not kept.
   */
  private readonly intervals: string[] | null;
  private readonly intervalLatency: Histogram | null;
  private intervalBucket = 0;

  /**
   * @param windowStart, windowEnd the measured window in performance.now() milliseconds.
   * @param quota answers after which the window closes early (0: none).
   * @param onQuota called once, synchronously, when the quota is met.
   */
  constructor(
    readonly windowStart: number,
    windowEnd: number,
    private readonly quota: number,
    private readonly onQuota: () => void,
    keepIntervals = false,
  ) {
    this.windowEnd = windowEnd;
    const seconds = Math.max(1, Math.ceil((windowEnd - windowStart) / 1000));
    this.perSecondAnswers = new Int32Array(seconds);
    this.perSecondErrors = new Int32Array(seconds);
    this.bucketMs = timelineBucketMs(windowEnd - windowStart);
    const buckets = Math.max(1, Math.ceil((windowEnd - windowStart) / this.bucketMs));
    this.bucketAnswers = new Int32Array(buckets);
    this.bucketErrors = new Int32Array(buckets);
    this.bucketMaxLatencyUs = new Float64Array(buckets);
    this.intervals = keepIntervals ? [] : null;
    this.intervalLatency = keepIntervals ? newLatencyHistogram() : null;
  }

  /**
   * The encoded latency histogram of each of the first `buckets` buckets (an empty one for a
   * bucket without answers, so that a stall shows as an interval with none). Null when the
   * recorder was not asked to keep them. Call once, at the end of the run.
   */
  intervalHistograms(buckets: number): string[] | null {
    if (this.intervals === null || this.intervalLatency === null) return null;
    this.closeIntervalsBefore(buckets);
    return this.intervals.slice(0, buckets);
  }

  /** A correct answer that arrived at `now`, `latencyMs` after its question. */
  answer(now: number, latencyMs: number): void {
    if (now < this.windowStart || now >= this.windowEnd) return;
    const us = Math.round(latencyMs * 1000);
    this.latency.recordValue(us);
    this.countAnswer(now, us);
  }

  /** Open mode: latency from the intended send time and from the actual one. */
  scheduledAnswer(now: number, correctedMs: number, uncorrectedMs: number): void {
    if (now < this.windowStart || now >= this.windowEnd) return;
    const us = Math.round(correctedMs * 1000);
    this.latency.recordValue(us);
    this.uncorrected.recordValue(Math.round(uncorrectedMs * 1000));
    this.countAnswer(now, us);
  }

  connected(now: number, connectMs: number): void {
    if (now < this.windowStart || now >= this.windowEnd) return;
    this.connect.recordValue(Math.round(connectMs * 1000));
  }

  conversationDone(now: number, conversationMs: number): void {
    if (now < this.windowStart || now >= this.windowEnd) return;
    this.conversation.recordValue(Math.round(conversationMs * 1000));
  }

  inWindow(time: number): boolean {
    return time >= this.windowStart && time < this.windowEnd;
  }

  scheduleLag(now: number, lagMs: number): void {
    if (this.inWindow(now) && lagMs > this.maxScheduleLagMs) this.maxScheduleLagMs = lagMs;
  }

  sent(now: number, count: number): void {
    if (now >= this.windowStart && now < this.windowEnd) this.sentInWindow += count;
  }

  error(kind: ErrorKind, now: number): void {
    this.errors[kind]++;
    if (now < this.windowStart) return;
    const second = Math.min(Math.floor((now - this.windowStart) / 1000), this.perSecondErrors.length - 1);
    this.perSecondErrors[second]!++;
    const bucket = Math.min(Math.floor((now - this.windowStart) / this.bucketMs), this.bucketErrors.length - 1);
    this.bucketErrors[bucket]!++;
  }

  private countAnswer(now: number, latencyUs: number): void {
    this.perSecondAnswers[Math.floor((now - this.windowStart) / 1000)]!++;
    const bucket = Math.floor((now - this.windowStart) / this.bucketMs);
    this.bucketAnswers[bucket]!++;
    if (latencyUs > this.bucketMaxLatencyUs[bucket]!) this.bucketMaxLatencyUs[bucket] = latencyUs;
    if (this.intervalLatency !== null) {
      if (bucket !== this.intervalBucket) this.closeIntervalsBefore(bucket);
      this.intervalLatency.recordValue(latencyUs);
    }
    if (++this.answers === this.quota) {
      this.windowEnd = now;
      this.onQuota();
    }
  }

  /** Encodes the bucket being filled and every empty one up to `bucket`, which becomes the one filled. */
  private closeIntervalsBefore(bucket: number): void {
    if (this.intervals === null || this.intervalLatency === null) return;
    while (this.intervalBucket < bucket) {
      this.intervals.push(encodeHistogram(this.intervalLatency));
      this.intervalLatency.reset();
      this.intervalBucket++;
    }
  }
}
