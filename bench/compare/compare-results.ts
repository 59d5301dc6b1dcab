/**
 * Two bench runs side by side, point by point, and whether each change exceeds run-to-run
 * noise.
 *
 * The noise test uses the repetitions (--repeat N) and nothing else: a change counts as
 * beyond noise when every repetition of one run lies beyond every repetition of the other
 * (their ranges do not overlap) and that separation would be unlikely by chance. If the
 * repetitions of both runs came from one distribution, every ordering of the m + n values
 * would be equally likely, and complete separation (in either direction) has probability
 * 2 / C(m + n, m): the exact two-sided p-value of a Mann-Whitney U test at U = 0. We call it
 * beyond noise at p <= 0.1, which needs at least 3 repetitions in each run (p = 0.1; at 5 and
 * 5, p = 0.008). It assumes nothing about the shape of the noise, which on a shared machine is
 * anything but normal; the price is that it needs repetitions.
 */
import type {
  BenchEnvironment,
  BenchResults,
  FigureInterval,
  PointResult,
  RepetitionResult,
} from '../report/results-format.js';
import { judgeAll } from '../report/verdict.js';
import { median, medianOrNull } from '../../lib/stats.js';
import { runtimeSuffix } from '../shared/plan.js';

export const SIGNIFICANCE_LEVEL = 0.1;

export type Verdict = 'beyond noise' | 'no difference shown' | 'too few repetitions' | 'not comparable';

export interface MetricComparison {
  a: number | null;
  b: number | null;
  /** (b - a) / a in percent; null when either side is missing. */
  changePercent: number | null;
  /** Whether the change is an improvement, given which direction is better for this metric. */
  better: boolean | null;
  /** Largest (max - min) / median over the two runs' repetitions, in percent. */
  noisePercent: number | null;
  pValue: number | null;
  verdict: Verdict;
}

export interface PointComparison {
  id: string;
  throughput: MetricComparison;
  latencyP99Us: MetricComparison;
  cpuUsPerAnswer: MetricComparison;
}

export interface ComparisonReport {
  points: PointComparison[];
  onlyInA: string[];
  onlyInB: string[];
  /** Environment fields that differ between the runs: their figures may not be comparable. */
  environmentDifferences: string[];
  /** Median throughput change over all paired points, percent; null when none is comparable. */
  medianThroughputChangePercent: number | null;
  /**
   * Most points moved the same way beyond noise: more likely the machine than the code (the
   * repetitions of one run, minutes apart at most, cannot capture a load that changed between runs).
   */
  wholeRunShifted: boolean;
  agreement: Agreement;
  /**
   * CPU µs per unit of reference work, median over each run's rounds, and B's change on A in
   * percent: a run on a slower machine as a whole moves every figure, which no interval drawn
   * within one run can cover. Null fields where a run has no rounds recorded (format 1).
   */
  machineSpeed: { a: number | null; b: number | null; changePercent: number | null };
}

/** How far two runs agree, in the terms their reports print: intervals and verdicts. */
export interface Agreement {
  /** Throughput medians of one run inside the other run's interval, counted both ways. */
  mediansInside: number;
  mediansCompared: number;
  /** Groups where each run names a clear winner (not level), and the two differ. */
  conflictingWinners: { group: string; a: string; b: string }[];
}

function machineSpeedOf(a: BenchResults, b: BenchResults): ComparisonReport['machineSpeed'] {
  const speedA = medianOrNull(a.rounds.map((round) => round.referenceCpuUsPerUnit));
  const speedB = medianOrNull(b.rounds.map((round) => round.referenceCpuUsPerUnit));
  const changePercent = speedA === null || speedB === null ? null : ((speedB - speedA) / speedA) * 100;
  return { a: speedA, b: speedB, changePercent };
}

export function agreementOf(a: BenchResults, b: BenchResults): Agreement {
  const pointsB = new Map(b.points.map((point) => [point.id, point]));
  let mediansInside = 0;
  let mediansCompared = 0;
  for (const pointA of a.points) {
    const summaryA = pointA.summary;
    const summaryB = pointsB.get(pointA.id)?.summary;
    if (summaryA === null || summaryB === null || summaryB === undefined) continue;
    const inside = (value: number, interval: FigureInterval): boolean =>
      value >= interval.low && value <= interval.high;
    mediansCompared += 2;
    if (inside(summaryB.throughput, summaryA.intervals.throughput)) mediansInside++;
    if (inside(summaryA.throughput, summaryB.intervals.throughput)) mediansInside++;
  }
  // The sweeps' steps are judged by capacity, not by a winner per step (open-capacity.ts).
  const closed = (points: readonly PointResult[]): PointResult[] => points.filter((point) => point.open === undefined);
  const winnersB = new Map(judgeAll(closed(b.points)).map((verdict) => [verdict.key, verdict.best]));
  const conflictingWinners = judgeAll(closed(a.points)).flatMap((verdict) => {
    const winnerB = winnersB.get(verdict.key);
    return verdict.best !== null && winnerB !== null && winnerB !== undefined && winnerB !== verdict.best
      ? [{ group: verdict.key, a: verdict.best, b: winnerB }]
      : [];
  });
  return { mediansInside, mediansCompared, conflictingWinners };
}

interface MetricDefinition {
  read(repetition: RepetitionResult): number | null;
  higherIsBetter: boolean;
}

const METRICS = {
  throughput: { read: (repetition) => repetition.load?.throughput ?? null, higherIsBetter: true },
  latencyP99Us: { read: (repetition) => repetition.load?.latencyUs.p99 ?? null, higherIsBetter: false },
  cpuUsPerAnswer: { read: (repetition) => repetition.server?.cpuUsPerAnswer ?? null, higherIsBetter: false },
} satisfies Record<string, MetricDefinition>;

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** Exact two-sided p-value of complete separation of m and n exchangeable values. */
export function separationPValue(m: number, n: number): number {
  return Math.min(1, 2 / binomial(m + n, m));
}

function relativeRange(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const middle = median(values);
  if (middle === 0) return null;
  return ((Math.max(...values) - Math.min(...values)) / Math.abs(middle)) * 100;
}

export function compareSamples(a: readonly number[], b: readonly number[], higherIsBetter: boolean): MetricComparison {
  const medianA = medianOrNull(a);
  const medianB = medianOrNull(b);
  if (medianA === null || medianB === null) {
    return {
      a: medianA,
      b: medianB,
      changePercent: null,
      better: null,
      noisePercent: null,
      pValue: null,
      verdict: 'not comparable',
    };
  }
  const changePercent = medianA === 0 ? null : ((medianB - medianA) / Math.abs(medianA)) * 100;
  const better = medianB === medianA ? null : medianB > medianA === higherIsBetter;
  const noises = [relativeRange(a), relativeRange(b)].filter((value): value is number => value !== null);
  const noisePercent = noises.length === 0 ? null : Math.max(...noises);
  if (a.length < 2 || b.length < 2) {
    return {
      a: medianA,
      b: medianB,
      changePercent,
      better,
      noisePercent,
      pValue: null,
      verdict: 'too few repetitions',
    };
  }
  const separated = Math.min(...b) > Math.max(...a) || Math.max(...b) < Math.min(...a);
  const pValue = separated ? separationPValue(a.length, b.length) : null;
  const verdict: Verdict = !separated
    ? 'no difference shown'
    : (pValue ?? 1) <= SIGNIFICANCE_LEVEL
      ? 'beyond noise'
      : 'too few repetitions';
  return { a: medianA, b: medianB, changePercent, better, noisePercent, pValue, verdict };
}

function samples(point: PointResult | undefined, metric: MetricDefinition): number[] {
  if (point === undefined) return [];
  return point.repetitions.flatMap((repetition) => {
    const value = metric.read(repetition);
    return value === null || !Number.isFinite(value) ? [] : [value];
  });
}

const COMPARED_ENVIRONMENT: readonly (keyof BenchEnvironment)[] = [
  'cpuModel',
  'cores',
  'node',
  'kernel',
  'platform',
  'arch',
];

/** A point's id without its @nodeNN: the same point under another Node. */
function baseId(point: PointResult): string {
  const suffix = runtimeSuffix(point);
  return suffix === '' ? point.id : point.id.slice(0, -suffix.length);
}

/**
 * B's points under A's ids: the same id, or else the same point under another Node where each
 * run has that point under one Node only (a run on Node 22 against one on Node 24).
 */
function pairedPoints(a: BenchResults, b: BenchResults): Map<string, PointResult> {
  const byId = new Map(b.points.map((point) => [point.id, point]));
  const count = (points: readonly PointResult[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const point of points) counts.set(baseId(point), (counts.get(baseId(point)) ?? 0) + 1);
    return counts;
  };
  const countA = count(a.points);
  const countB = count(b.points);
  const byBase = new Map(b.points.map((point) => [baseId(point), point]));
  const paired = new Map<string, PointResult>();
  for (const point of a.points) {
    const same = byId.get(point.id);
    const base = baseId(point);
    const other = countA.get(base) === 1 && countB.get(base) === 1 ? byBase.get(base) : undefined;
    const match = same ?? other;
    if (match !== undefined) paired.set(point.id, match);
  }
  return paired;
}

/** The servers' Nodes of a run, e.g. "v22.23.3, v24.21.0". */
function serverNodes(results: BenchResults): string {
  return [...new Set(results.points.map((point) => point.node))].join(', ');
}

export function compareResults(a: BenchResults, b: BenchResults): ComparisonReport {
  const pointsA = new Map(a.points.map((point) => [point.id, point]));
  const pairs = pairedPoints(a, b);
  const pairedInB = new Set([...pairs.values()].map((point) => point.id));
  const points: PointComparison[] = [];
  for (const [id, pointA] of pointsA) {
    const pointB = pairs.get(id);
    if (pointB === undefined) continue;
    points.push({
      id,
      throughput: compareSamples(samples(pointA, METRICS.throughput), samples(pointB, METRICS.throughput), true),
      latencyP99Us: compareSamples(samples(pointA, METRICS.latencyP99Us), samples(pointB, METRICS.latencyP99Us), false),
      cpuUsPerAnswer: compareSamples(
        samples(pointA, METRICS.cpuUsPerAnswer),
        samples(pointB, METRICS.cpuUsPerAnswer),
        false,
      ),
    });
  }
  const environmentDifferences = COMPARED_ENVIRONMENT.filter(
    (field) => String(a.environment[field]) !== String(b.environment[field]),
  ).map((field) => `${field}: ${String(a.environment[field])} vs ${String(b.environment[field])}`);
  if (serverNodes(a) !== serverNodes(b)) {
    environmentDifferences.push(`the servers' Node: ${serverNodes(a)} vs ${serverNodes(b)}`);
  }
  if (a.options.pin.applied !== b.options.pin.applied) {
    environmentDifferences.push(`pinned: ${String(a.options.pin.applied)} vs ${String(b.options.pin.applied)}`);
  }
  const changes = points.flatMap((point) =>
    point.throughput.changePercent === null ? [] : [point.throughput.changePercent],
  );
  const beyond = points.filter((point) => point.throughput.verdict === 'beyond noise');
  const up = beyond.filter((point) => (point.throughput.changePercent ?? 0) > 0).length;
  const sameWay = Math.max(up, beyond.length - up);
  return {
    points,
    onlyInA: [...pointsA.keys()].filter((id) => !pairs.has(id)),
    onlyInB: b.points.map((point) => point.id).filter((id) => !pairedInB.has(id)),
    environmentDifferences,
    medianThroughputChangePercent: medianOrNull(changes),
    wholeRunShifted: changes.length >= 2 && sameWay >= (2 / 3) * changes.length,
    agreement: agreementOf(a, b),
    machineSpeed: machineSpeedOf(a, b),
  };
}
