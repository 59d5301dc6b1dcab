/** Turns the reports of a run's threads into the one LoadResult the caller gets. */
import { encodeHistogram, mergeEncodedHistograms, summarizeHistogram } from './histogram.js';
import type { ThreadReport } from './plan.js';
import type { ErrorCounts, IntervalHistograms, LatencySummary, LoadOptions, LoadResult, Timeline } from './types.js';

/**
 * A generator thread that wanted more than this fraction of a core was the bottleneck, not
 * the server. "Wanted" is its time on a CPU plus its time waiting for one: on a machine whose
 * cores the server (or anything else) keeps busy, a generator that never gets a CPU limits
 * the run as surely as one that uses a whole core. Where the OS cannot tell, its event-loop
 * utilisation stands in.
 */
export const SATURATION_FRACTION = 0.9;

export function buildResult(options: LoadOptions, reports: readonly ThreadReport[]): LoadResult {
  const windowMs = Math.max(...reports.map((report) => report.windowMs));
  const durationS = windowMs / 1000;
  const requests = sum(reports.map((report) => report.answers));
  const errors = sumErrors(reports.map((report) => report.errors));
  const latency = mergeEncodedHistograms(reports.map((report) => report.histograms.latency));
  const maxThreadCoreFraction = Math.max(
    ...reports.map((report) => report.usage.threadCoreFraction ?? report.usage.eventLoopUtilization),
  );
  const maxEventLoopUtilization = Math.max(...reports.map((report) => report.usage.eventLoopUtilization));
  const demands = reports.map((report) => report.usage.threadCpuDemandFraction);
  const maxDemand = demands.every((demand) => demand !== null) ? Math.max(...demands) : null;
  const result: LoadResult = {
    mode: options.mode,
    protocol: options.protocol,
    host: options.host,
    port: options.port,
    connections: options.connections,
    pipeline: options.pipeline,
    threads: options.threads,
    durationS: round(durationS, 3),
    requests,
    throughput: durationS > 0 ? round(requests / durationS, 1) : 0,
    latencyUs: summarizeHistogram(latency),
    errors,
    errorTotal: sum(Object.values(errors)),
    perSecond: {
      answers: sumSeries(reports.map((report) => report.perSecondAnswers)),
      errors: sumSeries(reports.map((report) => report.perSecondErrors)),
    },
    timeline: mergeTimelines(reports.map((report) => report.timeline)),
    saturated: (maxDemand ?? Math.max(maxThreadCoreFraction, maxEventLoopUtilization)) > SATURATION_FRACTION,
    loadgenCpu: {
      // process.cpuUsage() is process-wide, so every thread saw the same figure; take one.
      cpuSeconds: round(Math.max(...reports.map((report) => report.usage.processCpuSeconds)), 3),
      maxThreadCoreFraction: round(maxThreadCoreFraction, 3),
      maxEventLoopUtilization: round(maxEventLoopUtilization, 3),
      ...(maxDemand === null ? {} : { maxThreadCpuDemandFraction: round(maxDemand, 3) }),
    },
    histogram: encodeHistogram(latency),
  };
  const timeline = result.timeline;
  const intervals = timeline === undefined ? null : mergeIntervals(reports, timeline.bucketMs, windowMs);
  if (intervals !== null) result.intervals = intervals;
  if (options.mode === 'open') {
    result.uncorrectedLatencyUs = mergedSummary(reports.map((report) => report.histograms.uncorrected));
    result.targetRate = options.rate;
    result.arrivals = options.arrivals;
    const sent = sum(reports.map((report) => report.sentInWindow));
    result.achievedRate = durationS > 0 ? round(sent / durationS, 1) : 0;
    const due = sum(reports.map((report) => report.dueInWindow));
    result.scheduledRate = durationS > 0 ? round(due / durationS, 1) : 0;
    result.scheduleLagUs = Math.round(1000 * Math.max(...reports.map((report) => report.maxScheduleLagMs)));
  }
  if (options.mode === 'conversation') {
    result.connectLatencyUs = mergedSummary(reports.map((report) => report.histograms.connect));
    result.conversationLatencyUs = mergedSummary(reports.map((report) => report.histograms.conversation));
  }
  return result;
}

function mergedSummary(encoded: ReadonlyArray<string | undefined>): LatencySummary {
  return summarizeHistogram(mergeEncodedHistograms(encoded.filter((text): text is string => text !== undefined)));
}

/** Every thread had the same window and buckets: the i-th interval is all threads' i-th, added. */
function mergeIntervals(
  reports: readonly ThreadReport[],
  bucketMs: number,
  windowMs: number,
): IntervalHistograms | null {
  const kept = reports.flatMap((report) => (report.intervals === undefined ? [] : [report.intervals]));
  const first = kept[0];
  if (first === undefined) return null;
  const length = Math.max(...kept.map((intervals) => intervals.histograms.length));
  const histograms: string[] = [];
  for (let index = 0; index < length; index++) {
    const parts = kept.flatMap((intervals) => {
      const encoded = intervals.histograms[index];
      return encoded === undefined ? [] : [encoded];
    });
    histograms.push(parts.length === 1 ? parts[0]! : encodeHistogram(mergeEncodedHistograms(parts)));
  }
  return { windowStartEpochMs: first.windowStartEpochMs, bucketMs, windowMs, histograms };
}

function sumErrors(all: readonly ErrorCounts[]): ErrorCounts {
  const total: ErrorCounts = { wrongAnswers: 0, connectErrors: 0, resets: 0, timeouts: 0, unansweredConnections: 0 };
  for (const errors of all) {
    for (const kind of Object.keys(total) as (keyof ErrorCounts)[]) total[kind] += errors[kind];
  }
  return total;
}

function sumSeries(series: readonly number[][]): number[] {
  const length = Math.max(...series.map((values) => values.length));
  const total = new Array<number>(length).fill(0);
  for (const values of series) values.forEach((value, index) => (total[index] = (total[index] ?? 0) + value));
  return total;
}

/** Every thread had the same window, so the same buckets: answers and errors add up, the slowest is the slowest. */
function mergeTimelines(timelines: readonly Timeline[]): Timeline {
  const length = Math.max(...timelines.map((timeline) => timeline.answers.length));
  const maxLatencyUs = new Array<number>(length).fill(0);
  for (const timeline of timelines) {
    timeline.maxLatencyUs.forEach((value, index) => (maxLatencyUs[index] = Math.max(maxLatencyUs[index] ?? 0, value)));
  }
  return {
    bucketMs: timelines[0]?.bucketMs ?? 0,
    answers: sumSeries(timelines.map((timeline) => timeline.answers)),
    errors: sumSeries(timelines.map((timeline) => timeline.errors)),
    maxLatencyUs,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
