/**
 * Latency over time: for the points where it tells something, the p50, p99 and slowest answer
 * of each interval of one measured window (from its HdrHistogram interval log), with the
 * answers (and, when there were any, the errors) of each interval beneath, so that a stall, a
 * GC pause or a recovery is seen rather than averaged into the window's percentiles.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { IntervalLog } from '../../loadgen/interval-log.js';
import { CHART_CONFIG, CHART_SCHEMA, type Chart } from './charts.js';
import type { IntervalLogSource } from './interval-files.js';
import type { BenchResults, PointResult, RepetitionResult } from './results-format.js';

/** The section of the reports the over-time charts make up. */
export const OVER_TIME_SECTION = 'over-time';
export const OVER_TIME_TITLE = 'Latency over time';
/** What the reports say above these charts. */
export const OVER_TIME_WHAT =
  'For every point with errors, and the points named besides: one round (the one with the most errors, ' +
  'else the highest p99), its p50, p99 and slowest answer per interval from its interval log, and its answers ' +
  '(and errors) per interval.';

/**
 * The points worth a chart over time, in the results' order: every point with errors (in any
 * repetition), and the points named in `extra` (say, an open-loop sweep's rates near the knee).
 */
export function pointsForOverTimeCharts(points: readonly PointResult[], extra: readonly string[]): PointResult[] {
  const named = new Set(extra);
  return points.filter((point) => named.has(point.id) || (point.summary?.errorTotal ?? 0) > 0);
}

/**
 * The round to draw: the one with the most errors, or with none anywhere the one with the
 * highest p99, since the worst window is where a stall shows; only rounds that left a log.
 */
function roundToDraw(
  point: PointResult,
  readLog: IntervalLogSource,
): { repetition: RepetitionResult; log: IntervalLog } | null {
  let best: { repetition: RepetitionResult; log: IntervalLog; key: number } | null = null;
  const anyErrors = (point.summary?.errorTotal ?? 0) > 0;
  for (const repetition of point.repetitions) {
    const load = repetition.load;
    if (load === null) continue;
    const key = anyErrors ? load.errorTotal : load.latencyUs.p99;
    if (best !== null && key <= best.key) continue;
    const log = readLog(point.id, repetition.repetition);
    if (log !== null) best = { repetition, log, key };
  }
  return best;
}

const MS_PER_US = 1 / 1000;

/** The chart of one point's round, or null when no round of it left a log. */
function overTimeChart(point: PointResult, readLog: IntervalLogSource): Chart | null {
  const drawn = roundToDraw(point, readLog);
  if (drawn === null) return null;
  const { repetition, log } = drawn;
  const errorsPerInterval = repetition.load?.timeline?.errors ?? [];
  const intervalMs = log.intervals[0] === undefined ? 0 : log.intervals[0].endMs - log.intervals[0].startMs;
  const rows = log.intervals.map((interval, index) => {
    const { histogram } = interval;
    // Floor at 1 µs so that a log scale can draw it; an interval without answers has no latency.
    const ms = (us: number): number => Math.max(us, 1) * MS_PER_US;
    const answered = histogram.totalCount > 0;
    return {
      seconds: interval.startMs / 1000,
      answers: histogram.totalCount,
      errors: errorsPerInterval[index] ?? 0,
      ...(answered
        ? {
            p50: ms(histogram.getValueAtPercentile(50)),
            p99: ms(histogram.getValueAtPercentile(99)),
            max: ms(histogram.maxValue),
          }
        : {}),
    };
  });
  const x = {
    field: 'seconds',
    type: 'quantitative' as const,
    title: `seconds into the measured window (${intervalMs} ms intervals)`,
  };
  const width = 520;
  const panels: object[] = [
    {
      width,
      height: 220,
      transform: [{ fold: ['p50', 'p99', 'max'], as: ['statistic', 'latencyMs'] }],
      mark: { type: 'line', point: { size: 30, filled: true } },
      encoding: {
        x,
        y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
        color: {
          field: 'statistic',
          type: 'nominal',
          title: 'per interval',
          scale: { domain: ['p50', 'p99', 'max'] },
        },
      },
    },
    {
      width,
      height: 100,
      mark: { type: 'bar' },
      encoding: { x, y: { field: 'answers', type: 'quantitative', title: 'answers per interval' } },
    },
  ];
  if (rows.some((row) => row.errors > 0)) {
    panels.push({
      width,
      height: 80,
      mark: { type: 'bar', color: '#c0392b' },
      encoding: { x, y: { field: 'errors', type: 'quantitative', title: 'errors per interval' } },
    });
  }
  const title = `Latency over time: ${point.id}, round ${repetition.repetition}`;
  const spec = {
    $schema: CHART_SCHEMA,
    title,
    config: CHART_CONFIG,
    data: { values: rows },
    vconcat: panels,
  } as TopLevelSpec;
  return { file: `over-time-${point.id.replace(/[/@]/g, '-')}.svg`, title, section: OVER_TIME_SECTION, spec };
}

/** The over-time charts of a run: pointsForOverTimeCharts's points whose logs `readLog` finds. */
export function buildOverTimeCharts(
  results: BenchResults,
  readLog: IntervalLogSource,
  extra: readonly string[],
): Chart[] {
  return pointsForOverTimeCharts(results.points, extra).flatMap((point) => {
    const chart = overTimeChart(point, readLog);
    return chart === null ? [] : [chart];
  });
}
