/**
 * The open-loop sweeps in the reports, independent of their format: per sweep, the capacity
 * at the objective of each architecture and a table of its steps; a verdict row per sweep for
 * the top of the verdict table; and the tail sentence where the intervals bear it out.
 */
import { median } from '../../lib/stats.js';
import { variantLabel } from '../shared/plan.js';
import {
  capacitiesOf,
  CLEAR_FAIL_FRACTION,
  CLEAR_FAIL_P99_FACTOR,
  formatCapacity,
  judgeCapacities,
  KEEP_UP_FRACTION,
  stepOutcome,
  type CapacityVerdict,
} from './open-capacity.js';
import type { BenchResults, FigureInterval, PointResult } from './results-format.js';
import { formatMs, formatThroughput, formatWithInterval, overLabel, SATURATED_MARK, verdictWord } from './tables.js';
import { orderOf } from './verdict.js';

export const CAPACITY_COLUMNS = [
  'Architecture',
  'Capacity at the objective (questions/s)',
  'Per round',
  'Generator-limited steps (not counted)',
] as const;

export const STEP_COLUMNS = [
  'Architecture',
  'Offered (questions/s)',
  'Achieved (questions/s)',
  'p50 (ms)',
  'p99 (ms)',
  'Objective met (rounds)',
  'Notes',
] as const;

export interface OpenSection {
  /** sectionKeyOf the steps: how charts find the section. */
  key: string;
  title: string;
  objectiveP99Ms: number;
  capacityRows: string[][];
  stepRows: string[][];
  /** The tail in words, or null when the intervals do not bear it out. */
  tailSentence: string | null;
}

/** "p99 ≤ 20 ms". */
export function objectiveLabel(objectiveP99Ms: number): string {
  return `p99 ≤ ${objectiveP99Ms} ms`;
}

function titleOf(verdict: CapacityVerdict): string {
  const first = verdict.capacities[0]?.steps[0];
  const over = first === undefined ? '' : variantLabel(first.protocol, first.instrument);
  const label = first?.pattern.label ?? 'open loop';
  return `${verdict.workloadLabel}, ${label}, ${verdict.connections} connections${over === '' ? '' : `, ${over}`}: capacity at ${objectiveLabel(verdict.objectiveP99Ms)}`;
}

function capacityCell(median: number, interval: FigureInterval, rates: readonly number[]): string {
  const show = (value: number): string => formatCapacity(value, rates);
  return interval.low === interval.high
    ? show(median)
    : `${show(median)} (${show(interval.low)}–${show(interval.high)})`;
}

function ms(us: number): number {
  return us / 1000;
}

function msCell(value: number, interval: FigureInterval): string {
  return formatWithInterval(ms(value), { low: ms(interval.low), high: ms(interval.high) }, (figure) =>
    formatMs(figure * 1000),
  );
}

function stepRow(step: PointResult, objectiveP99Ms: number): string[] {
  const outcomes = step.repetitions.map((repetition) => stepOutcome(repetition, objectiveP99Ms));
  const met = outcomes.filter((outcome) => outcome === 'met').length;
  const limited = outcomes.filter((outcome) => outcome === 'generator-limited').length;
  const achieved = step.repetitions.flatMap((repetition) =>
    repetition.load?.achievedRate === undefined ? [] : [repetition.load.achievedRate],
  );
  const summary = step.summary;
  const notes: string[] = [];
  if (limited > 0) notes.push(`${SATURATED_MARK} or behind its schedule in ${limited}`);
  if (summary !== null && summary.errorTotal > 0) notes.push(`${summary.errorTotal} errors`);
  if (summary !== null && summary.disturbedRepetitions > 0) {
    notes.push(`machine disturbed in ${summary.disturbedRepetitions} of ${summary.repetitions}`);
  }
  if (summary?.failed) notes.push('failed');
  const dash = '–';
  return [
    step.architecture,
    formatThroughput(step.open?.rate ?? 0),
    achieved.length === 0 ? dash : formatThroughput(median(achieved)),
    summary === null ? dash : msCell(summary.latencyP50Us, summary.intervals.latencyP50Us),
    summary === null ? dash : msCell(summary.latencyP99Us, summary.intervals.latencyP99Us),
    // Rounds the stopping rule cut short never measured the step: they count as missed.
    step.repetitions.length === 0 ? 'not reached' : `${met} of ${step.repetitions.length}`,
    notes.join('; '),
  ];
}

/**
 * The tail in words: at the rates where async's p99 interval lies wholly above pool's and
 * cluster's, it says so; never where the intervals overlap (that would be claiming noise).
 */
export function tailSentence(steps: readonly PointResult[], objectiveP99Ms: number): string | null {
  const at = new Map<number, Map<string, PointResult>>();
  for (const step of steps) {
    const rate = step.open?.rate ?? 0;
    const byArchitecture = at.get(rate) ?? new Map<string, PointResult>();
    byArchitecture.set(step.architecture, step);
    at.set(rate, byArchitecture);
  }
  const clear: string[] = [];
  for (const [rate, byArchitecture] of [...at].sort((a, b) => a[0] - b[0])) {
    const async = byArchitecture.get('async')?.summary;
    const others = ['pool', 'cluster'].map((name) => byArchitecture.get(name)?.summary ?? null);
    if (async === undefined || async === null || others.some((other) => other === null)) continue;
    const [pool, cluster] = others;
    if (pool === null || pool === undefined || cluster === null || cluster === undefined) continue;
    // Only where all three were measured in the same rounds, more than one: one repetition has
    // no interval to speak of, and a step the stopping rule cut short compares unlike rounds.
    const counts = [async, pool, cluster].map((summary) => summary.repetitions);
    if (counts.some((count) => count < 2 || count !== counts[0])) continue;
    const low = async.intervals.latencyP99Us.low;
    if (low > pool.intervals.latencyP99Us.high && low > cluster.intervals.latencyP99Us.high) {
      const show = (us: number): string => `${formatMs(us)} ms`;
      clear.push(
        `at ${formatThroughput(rate)}/s async's p99 was ${show(async.latencyP99Us)} against pool's ${show(pool.latencyP99Us)} and cluster's ${show(cluster.latencyP99Us)}`,
      );
    }
  }
  if (clear.length === 0) return null;
  return `Head-of-line blocking: ${clear.join('; ')} (each interval clear of the others; objective ${objectiveLabel(objectiveP99Ms)}). On one event loop every question waits behind the dearer ones that arrived before it; a pool's threads or a cluster's processes keep the cheap ones moving.`;
}

export function buildOpenSections(results: BenchResults): OpenSection[] {
  return judgeCapacities(capacitiesOf(results.points)).map((verdict) => {
    const steps = verdict.capacities.flatMap((capacity) => capacity.steps);
    const ordered = [...steps].sort(
      (a, b) => (a.open?.rate ?? 0) - (b.open?.rate ?? 0) || a.architecture.localeCompare(b.architecture),
    );
    return {
      key: verdict.key,
      title: titleOf(verdict),
      objectiveP99Ms: verdict.objectiveP99Ms,
      capacityRows: verdict.ranking.flatMap((entry) => {
        const capacity = verdict.capacities.find((candidate) => candidate.architecture === entry.architecture);
        if (capacity === undefined) return [];
        return [
          [
            capacity.architecture,
            capacityCell(capacity.median, capacity.interval, capacity.rates),
            capacity.perRound.map((value) => formatCapacity(value, capacity.rates)).join(', '),
            capacity.generatorLimitedRates.length === 0
              ? '–'
              : capacity.generatorLimitedRates.map((rate) => formatThroughput(rate)).join(', '),
          ],
        ];
      }),
      stepRows: ordered.map((step) => stepRow(step, verdict.objectiveP99Ms)),
      tailSentence: tailSentence(steps, verdict.objectiveP99Ms),
    };
  });
}

/**
 * A row per sweep for the top of the verdict table (tables.ts, VERDICT_COLUMNS): the best by
 * capacity at the objective where its interval clears the others', else "level".
 */
export function buildCapacityVerdictRows(results: BenchResults): string[][] {
  return judgeCapacities(capacitiesOf(results.points)).map((verdict) => {
    const [top, next] = verdict.ranking;
    const rates = verdict.capacities[0]?.rates ?? [];
    const said = verdictWord(verdict);
    const margin =
      verdict.best === null || top === undefined || next === undefined
        ? '–'
        : `${formatCapacity(top.throughput, rates)} vs ${formatCapacity(next.throughput, rates)}/s (${next.architecture})`;
    const first = verdict.capacities[0]?.steps[0];
    return [
      overLabel(verdict.protocol, first?.instrument ?? 'zenbench'),
      verdict.workloadLabel,
      `${first?.pattern.label ?? 'open loop'}: capacity at ${objectiveLabel(verdict.objectiveP99Ms)}`,
      String(verdict.connections),
      said,
      margin,
      orderOf(verdict.ranking),
      '–',
    ];
  });
}

/** The method's sentence on the sweeps, when the run has any. */
export function describeOpenMethod(results: BenchResults): string[] {
  if (!results.points.some((point) => point.open !== undefined)) return [];
  return [
    `Open-loop sweeps: each step offers questions at a fixed rate (Poisson arrivals, seeded by the round's number), one in flight per connection, latency counted from when each question was due, so a server that falls behind shows it. Capacity at the objective: per round, the highest offered rate whose step kept up (achieved at least ${KEEP_UP_FRACTION * 100}% of what the schedule offered) with no errors and its p99 within the objective; the median over rounds, with its interval ("<lowest" below the sweep, "≥highest" at its top). A step where the load generator was saturated or fell behind its own schedule by more than the objective is not counted. Stopping rule: once a step failed clearly (achieved below ${CLEAR_FAIL_FRACTION * 100}% of offered, or p99 above ${CLEAR_FAIL_P99_FACTOR} times the objective), the architecture's higher rates are not measured in that round.`,
  ];
}
