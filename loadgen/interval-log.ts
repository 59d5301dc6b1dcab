/**
 * HdrHistogram interval logs: a run's per-interval latency histograms in the text format of
 * hdr-histogram-js's HistogramLogWriter (HdrHistogram's own log format, version 1.3), which
 * HistogramLogAnalyzer and the other HdrHistogram tools read. Values are microseconds; the
 * Interval_Max column is in milliseconds (the writer's default ratio of 1000). Timestamps are
 * seconds from the start of the measured window, which the StartTime and BaseTime lines give
 * as seconds since the epoch.
 */
import { HistogramLogReader, HistogramLogWriter, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { IntervalHistograms } from './types.js';

/** The bit-bucket size of the generator's histograms (histogram.ts), to read them back alike. */
const BIT_BUCKET_SIZE = 32;

/** One interval read back: its bounds in ms from the start of the log, and its histogram (µs). */
export interface LoggedInterval {
  startMs: number;
  endMs: number;
  histogram: Histogram;
}

export interface IntervalLog {
  /** When the first interval began, ms since the epoch. */
  startEpochMs: number;
  intervals: LoggedInterval[];
}

/** The log's text: a comment line per `comments` entry, the header lines, then one line per interval. */
export function formatIntervalLog(intervals: IntervalHistograms, comments: readonly string[] = []): string {
  let text = '';
  const writer = new HistogramLogWriter((line) => (text += line));
  for (const comment of comments) writer.outputComment(comment);
  writer.outputLogFormatVersion();
  writer.outputStartTime(intervals.windowStartEpochMs);
  writer.outputComment(`[BaseTime: ${(intervals.windowStartEpochMs / 1000).toFixed(3)} (seconds since epoch)]`);
  writer.outputLegend();
  intervals.histograms.forEach((encoded, index) => {
    const histogram = decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
    const startMs = index * intervals.bucketMs;
    const endMs = Math.min((index + 1) * intervals.bucketMs, Math.max(intervals.windowMs, startMs));
    writer.outputIntervalHistogram(histogram, startMs / 1000, endMs / 1000);
  });
  // hdr-histogram-js ends its StartTime line with two newlines; HdrHistogram's own writer with one.
  return text.replace(/\n{2,}/g, '\n');
}

/** The intervals of a log's text, with HistogramLogReader; throws when it holds none. */
export function readIntervalLog(text: string, source = 'interval log'): IntervalLog {
  const reader = new HistogramLogReader(text, BIT_BUCKET_SIZE, false);
  const absolute: { startEpochMs: number; endEpochMs: number; histogram: Histogram }[] = [];
  for (let histogram = reader.nextIntervalHistogram(); histogram !== null;) {
    absolute.push({ startEpochMs: histogram.startTimeStampMsec, endEpochMs: histogram.endTimeStampMsec, histogram });
    histogram = reader.nextIntervalHistogram();
  }
  const first = absolute[0];
  if (first === undefined) throw new Error(`${source} holds no interval histograms`);
  // The log's timestamps are written to the millisecond; keep the reader's sums on that grid.
  const grid = (ms: number): number => Math.round(ms);
  const startEpochMs = grid(first.startEpochMs);
  return {
    startEpochMs,
    intervals: absolute.map(({ startEpochMs: start, endEpochMs: end, histogram }) => ({
      startMs: grid(start) - startEpochMs,
      endMs: grid(end) - startEpochMs,
      histogram,
    })),
  };
}
