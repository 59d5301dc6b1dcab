/**
 * "Same architecture, different runtime": in a run under more than one Node (bench --node), each
 * architecture's throughput under each Node side by side, and how each later Node compares with
 * the first given, with an interval from the two medians' intervals; "level" where they overlap.
 */
import { acrossRuntimesKeyOf, runtimeSuffix } from '../shared/plan.js';
import type { PointResult } from './results-format.js';
import { formatThroughput, formatWithInterval, overLabel, percent } from './tables.js';
import { overlap } from './verdict.js';

export const RUNTIME_TITLE = 'Same architecture, different runtime';

export interface RuntimeTable {
  /** The Nodes in the order of the run, e.g. ['node22', 'node24']. */
  runtimes: string[];
  columns: string[];
  rows: string[][];
}

/** The change from `base` to `other`, as "+12% (+3.0% to +20%)", or "level (…)" when the intervals overlap. */
function change(base: PointResult, other: PointResult): string {
  const a = base.summary;
  const b = other.summary;
  if (a === null || b === null || a.failed || b.failed || a.throughput <= 0) return '–';
  const value = b.throughput / a.throughput - 1;
  const low = a.intervals.throughput.high > 0 ? b.intervals.throughput.low / a.intervals.throughput.high - 1 : NaN;
  const high = a.intervals.throughput.low > 0 ? b.intervals.throughput.high / a.intervals.throughput.low - 1 : NaN;
  const range = Number.isNaN(low) || Number.isNaN(high) ? '' : ` (${percent(low)} to ${percent(high)})`;
  const level = overlap(a.intervals.throughput, b.intervals.throughput);
  return `${level ? 'level: ' : ''}${percent(value)}${range}`;
}

/**
 * null for a run under one Node. Closed-loop points only: a sweep's runtimes meet in its
 * capacity table, one verdict row per Node.
 */
export function buildRuntimeTable(points: readonly PointResult[]): RuntimeTable | null {
  const several = points.filter((point) => point.open === undefined && runtimeSuffix(point) !== '');
  const runtimes = [...new Set(several.map((point) => point.runtime))];
  const [first, ...later] = runtimes;
  if (first === undefined || later.length === 0) return null;
  const versions = new Map(several.map((point) => [point.runtime, point.node]));
  const rows = new Map<string, Map<string, PointResult>>();
  for (const point of several) {
    const key = `${acrossRuntimesKeyOf(point)}/c${point.connections}/${point.architecture}`;
    const row = rows.get(key) ?? new Map<string, PointResult>();
    rows.set(key, row);
    row.set(point.runtime, point);
  }
  return {
    runtimes,
    columns: [
      'Over',
      'Workload',
      'Pattern',
      'Connections',
      'Architecture',
      ...runtimes.map((runtime) => `${runtime} ${versions.get(runtime) ?? ''} (answers/s)`),
      ...later.map((runtime) => `${runtime} vs ${first}`),
    ],
    rows: [...rows.values()].flatMap((byRuntime) => {
      const any = [...byRuntime.values()][0];
      if (any === undefined) return [];
      const base = byRuntime.get(first);
      return [
        [
          overLabel(any.protocol, any.instrument),
          any.workload.label,
          any.pattern.label,
          String(any.connections),
          any.architecture,
          ...runtimes.map((runtime) => {
            const summary = byRuntime.get(runtime)?.summary;
            return summary === undefined || summary === null
              ? '–'
              : formatWithInterval(summary.throughput, summary.intervals.throughput, formatThroughput);
          }),
          ...later.map((runtime) => {
            const other = byRuntime.get(runtime);
            return base === undefined || other === undefined ? '–' : change(base, other);
          }),
        ],
      ];
    }),
  };
}
