/**
 * "Which architecture for which load?": for each workload, traffic pattern and concurrency,
 * the architecture with the highest throughput, by how much, and how sure that is; or
 * "level" where the intervals cannot tell the best from the next. A point with errors or
 * starved connections is not a candidate: a server that leaves clients unanswered does not
 * win on the answers it did give.
 */
import type { Instrument } from '../../loadgen/instruments.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { groupKeyOf, runtimeSuffix } from '../shared/plan.js';
import type { FigureInterval, PointResult } from './results-format.js';

export interface Contender {
  /** The point's id. */
  id: string;
  architecture: string;
  throughput: number;
  interval: FigureInterval;
}

export interface GroupVerdict {
  /** The group's key (plan.ts, groupKeyOf): the same group in another run has the same. */
  key: string;
  /** The Node of the group's servers when the run had several (runtimeSuffix), null otherwise. */
  runtime: string | null;
  protocol: ProtocolName;
  instrument: Instrument;
  workload: string;
  workloadLabel: string;
  pattern: string;
  patternLabel: string;
  connections: number;
  /** Candidates, best first by median throughput. */
  ranking: Contender[];
  /** The winner, or null when the best cannot be told from the next ("level"). */
  best: string | null;
  /** The first tier (tiersOf): the best, or the architectures that cannot be told from it. */
  level: string[];
  /** The best's median over the next one's, minus 1, with an interval from the two intervals. */
  margin: { value: number; low: number; high: number } | null;
  /** Left out of the ranking, with why. */
  excluded: { architecture: string; reason: string }[];
}

function exclusionOf(point: PointResult): string | null {
  const summary = point.summary;
  if (summary === null) return 'no measurement';
  if (summary.failed) return 'failed';
  if (summary.starvedConnections > 0) return `${summary.starvedConnections} starved connections`;
  if (summary.errorTotal > 0) return `${summary.errorTotal} errors`;
  return null;
}

/** Whether two intervals share any value: then the medians cannot be told apart. */
export function overlap(a: FigureInterval, b: FigureInterval): boolean {
  return a.low <= b.high && b.low <= a.high;
}

export function judgeGroup(points: readonly PointResult[]): GroupVerdict | null {
  const first = points[0];
  if (first === undefined) return null;
  const ranking: Contender[] = [];
  const excluded: GroupVerdict['excluded'] = [];
  for (const point of points) {
    const reason = exclusionOf(point);
    if (reason !== null || point.summary === null)
      excluded.push({ architecture: point.architecture, reason: reason ?? '' });
    else {
      ranking.push({
        id: point.id,
        architecture: point.architecture,
        throughput: point.summary.throughput,
        interval: point.summary.intervals.throughput,
      });
    }
  }
  ranking.sort((a, b) => b.throughput - a.throughput);
  const [top, next] = ranking;
  const level = tiersOf(ranking)[0] ?? [];
  let best: string | null = null;
  let margin: GroupVerdict['margin'] = null;
  if (top !== undefined && next !== undefined && next.throughput > 0) {
    margin = {
      value: top.throughput / next.throughput - 1,
      low: next.interval.high > 0 ? top.interval.low / next.interval.high - 1 : Number.POSITIVE_INFINITY,
      high: next.interval.low > 0 ? top.interval.high / next.interval.low - 1 : Number.POSITIVE_INFINITY,
    };
    if (level.length === 1) best = top.architecture;
  } else if (top !== undefined && next === undefined) {
    best = top.architecture;
  }
  return {
    key: groupKeyOf(first),
    runtime: runtimeSuffix(first) === '' ? null : first.runtime,
    protocol: first.protocol,
    instrument: first.instrument,
    workload: first.workload.name,
    workloadLabel: first.workload.label,
    pattern: first.pattern.name,
    patternLabel: first.pattern.label,
    connections: first.connections,
    ranking,
    best,
    level: level.map((entry) => entry.architecture),
    margin,
    excluded,
  };
}

/** One verdict per workload, pattern and concurrency, in the order the points were planned. */
export function judgeAll(points: readonly PointResult[]): GroupVerdict[] {
  const groups = new Map<string, PointResult[]>();
  for (const point of points) {
    const key = groupKeyOf(point);
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  return [...groups.values()].flatMap((group) => judgeGroup(group) ?? []);
}

/**
 * A sorted ranking in tiers: each tier is the first architecture not yet placed and every
 * later one whose interval overlaps it, the ones that cannot be told from it. The first tier
 * is the best, or those level with it.
 */
export function tiersOf(ranking: readonly Contender[]): Contender[][] {
  const tiers: Contender[][] = [];
  for (const entry of ranking) {
    const tier = tiers.at(-1);
    const head = tier?.[0];
    if (tier !== undefined && head !== undefined && overlap(entry.interval, head.interval)) tier.push(entry);
    else tiers.push([entry]);
  }
  return tiers;
}

/** Rank labels for a sorted ranking: "1", "2", ... and "=2" for one in the same tier as the one above. */
export function rankLabels(ranking: readonly Contender[]): string[] {
  let position = 0;
  return tiersOf(ranking).flatMap((tier) => {
    const rank = position + 1;
    position += tier.length;
    return tier.map((_, index) => (index === 0 ? String(rank) : `=${rank}`));
  });
}

/** The whole ranking at a glance: "cluster ≈ pool > async", tiers joined by ">". */
export function orderOf(ranking: readonly Contender[]): string {
  return tiersOf(ranking)
    .map((tier) => tier.map((entry) => entry.architecture).join(' ≈ '))
    .join(' > ');
}
