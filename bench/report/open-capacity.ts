/**
 * Capacity at the latency objective, from the open-loop sweeps: per architecture, workload
 * and protocol, the highest offered rate the server kept up with (achieved at least 99% of
 * what the schedule offered) while its p99 stayed within the objective. Worked out per round,
 * then reported as the median over rounds with the same order-statistic interval as every
 * other figure; a verdict per sweep from those intervals. A step where the load generator
 * was saturated or fell behind its own schedule never counts as the server's capacity.
 */
import { median, medianInterval } from '../../lib/stats.js';
import type { LoadResult } from '../../loadgen/types.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { sectionKeyOf } from '../shared/plan.js';
import { INTERVAL_LEVEL } from './point-summary.js';
import type { FigureInterval, PointResult, RepetitionResult } from './results-format.js';
import { tiersOf, type Contender } from './verdict.js';

/** Kept up: the achieved rate at least this fraction of the rate the schedule offered. */
export const KEEP_UP_FRACTION = 0.99;
/** The stopping rule: a step clearly failed below this fraction of the offered rate... */
export const CLEAR_FAIL_FRACTION = 0.9;
/** ...or with its p99 beyond this many times the objective. */
export const CLEAR_FAIL_P99_FACTOR = 10;

/** What one measurement of a step says: met the objective, missed it, or not the server's to judge. */
export type StepOutcome = 'met' | 'missed' | 'generator-limited' | 'not measured';

/** The rate the schedule put in the window (Poisson arrivals vary by chance), else the target. */
function offeredOf(load: LoadResult): number {
  return load.scheduledRate ?? load.targetRate ?? 0;
}

/**
 * The generator was the limit: a thread of it saturated, or it fell behind its own schedule by
 * more than the objective, a delay that alone could spend the objective (its percentiles count
 * from when each question was due, so its own lag shows in them).
 */
export function generatorLimited(load: LoadResult, objectiveP99Ms: number): boolean {
  return load.saturated || (load.scheduleLagUs ?? 0) > objectiveP99Ms * 1000;
}

export function stepOutcome(repetition: RepetitionResult | undefined, objectiveP99Ms: number): StepOutcome {
  const load = repetition?.load ?? null;
  if (repetition === undefined || load === null) return 'not measured';
  if (generatorLimited(load, objectiveP99Ms)) return 'generator-limited';
  const keptUp = (load.achievedRate ?? 0) >= KEEP_UP_FRACTION * offeredOf(load);
  const met = repetition.status === 'ok' && load.errorTotal === 0 && keptUp;
  return met && load.latencyUs.p99 <= objectiveP99Ms * 1000 ? 'met' : 'missed';
}

/**
 * The stopping rule: once a step has clearly failed (a failed run, achieved well below offered,
 * or p99 far beyond the objective), the architecture's higher rates in the same round would
 * fail too and are not measured.
 */
export function failedClearly(repetition: RepetitionResult, objectiveP99Ms: number): boolean {
  const load = repetition.load;
  if (repetition.status === 'failed' || load === null) return true;
  return (
    (load.achievedRate ?? 0) < CLEAR_FAIL_FRACTION * offeredOf(load) ||
    load.latencyUs.p99 > CLEAR_FAIL_P99_FACTOR * objectiveP99Ms * 1000
  );
}

/** What names one sweep, whichever architecture runs it. */
export interface SweepOf {
  key: string;
  protocol: ProtocolName;
  workload: string;
  workloadLabel: string;
  connections: number;
  objectiveP99Ms: number;
}

/** One architecture's sweep: its steps, rates ascending. */
export interface Sweep extends SweepOf {
  architecture: string;
  steps: PointResult[];
}

export interface SweepCapacity extends Sweep {
  rates: number[];
  /** Per round: the capacity, 0 when no step met the objective (below the sweep's lowest rate). */
  perRound: number[];
  median: number;
  interval: FigureInterval;
  confidence: number;
  /** Rates where some round's step was generator-limited (never counted). */
  generatorLimitedRates: number[];
}

/** The sweeps of a run, each architecture's apart, in the order they were planned. */
export function sweepsOf(points: readonly PointResult[]): Sweep[] {
  const sweeps = new Map<string, Sweep>();
  for (const point of points) {
    if (point.open === undefined) continue;
    const key = sectionKeyOf(point);
    const id = `${point.architecture}/${key}`;
    const sweep = sweeps.get(id) ?? {
      key,
      protocol: point.protocol,
      workload: point.workload.name,
      workloadLabel: point.workload.label,
      connections: point.connections,
      objectiveP99Ms: point.open.objectiveP99Ms,
      architecture: point.architecture,
      steps: [],
    };
    sweep.steps.push(point);
    sweeps.set(id, sweep);
  }
  for (const sweep of sweeps.values()) sweep.steps.sort((a, b) => (a.open?.rate ?? 0) - (b.open?.rate ?? 0));
  return [...sweeps.values()];
}

function roundsOf(steps: readonly PointResult[]): number[] {
  const rounds = new Set(steps.flatMap((step) => step.repetitions.map((repetition) => repetition.repetition)));
  return [...rounds].sort((a, b) => a - b);
}

/** The highest rate whose step met the objective in this round; 0 when none did. */
export function roundCapacity(steps: readonly PointResult[], round: number, objectiveP99Ms: number): number {
  let capacity = 0;
  for (const step of steps) {
    const repetition = step.repetitions.find((candidate) => candidate.repetition === round);
    if (stepOutcome(repetition, objectiveP99Ms) === 'met') capacity = Math.max(capacity, step.open?.rate ?? 0);
  }
  return capacity;
}

export function sweepCapacity(sweep: Sweep): SweepCapacity {
  const perRound = roundsOf(sweep.steps).map((round) => roundCapacity(sweep.steps, round, sweep.objectiveP99Ms));
  const values = perRound.length === 0 ? [0] : perRound;
  const { low, high, confidence } = medianInterval(values, INTERVAL_LEVEL);
  const generatorLimitedRates = sweep.steps
    .filter((step) =>
      step.repetitions.some((repetition) => stepOutcome(repetition, sweep.objectiveP99Ms) === 'generator-limited'),
    )
    .map((step) => step.open?.rate ?? 0);
  return {
    ...sweep,
    rates: sweep.steps.map((step) => step.open?.rate ?? 0),
    perRound,
    median: median(values),
    interval: { low, high },
    confidence,
    generatorLimitedRates,
  };
}

export function capacitiesOf(points: readonly PointResult[]): SweepCapacity[] {
  return sweepsOf(points).map(sweepCapacity);
}

/** A capacity for a reader: "<2,800" below the sweep, "≥11,000" at its top, else the rate. */
export function formatCapacity(value: number, rates: readonly number[]): string {
  const lowest = rates[0] ?? 0;
  const highest = rates.at(-1) ?? 0;
  if (value < lowest || value === 0) return `<${lowest.toLocaleString('en-US')}`;
  if (value >= highest) return `≥${highest.toLocaleString('en-US')}`;
  return value.toLocaleString('en-US');
}

/** The architectures' capacities on one sweep, ranked, with the verdict: the best, or level. */
export interface CapacityVerdict extends SweepOf {
  ranking: Contender[];
  best: string | null;
  level: string[];
  capacities: SweepCapacity[];
}

export function judgeCapacities(capacities: readonly SweepCapacity[]): CapacityVerdict[] {
  const byKey = new Map<string, SweepCapacity[]>();
  for (const capacity of capacities) byKey.set(capacity.key, [...(byKey.get(capacity.key) ?? []), capacity]);
  return [...byKey.values()].flatMap((group) => {
    const first = group[0];
    if (first === undefined) return [];
    const ranking: Contender[] = group
      .map((capacity) => ({
        id: `${capacity.architecture}/${capacity.key}`,
        architecture: capacity.architecture,
        throughput: capacity.median,
        interval: capacity.interval,
      }))
      .sort((a, b) => b.throughput - a.throughput);
    const level = (tiersOf(ranking)[0] ?? []).map((entry) => entry.architecture);
    return [
      {
        key: first.key,
        protocol: first.protocol,
        workload: first.workload,
        workloadLabel: first.workloadLabel,
        connections: first.connections,
        objectiveP99Ms: first.objectiveP99Ms,
        ranking,
        best: level.length === 1 ? (level[0] ?? null) : null,
        level,
        capacities: group,
      },
    ];
  });
}

/**
 * The step ids around each architecture's knee: the highest rate it met and the next one up
 * (the lowest step when it met none, the highest when it met all), for the over-time charts.
 */
export function nearKneePointIds(points: readonly PointResult[]): string[] {
  return capacitiesOf(points).flatMap((capacity) => {
    // The median of an even number of rounds may fall between two rates: the step below it.
    const below = capacity.steps.filter((step) => (step.open?.rate ?? 0) <= capacity.median).length;
    const index = below - 1;
    const around = index < 0 ? capacity.steps.slice(0, 1) : capacity.steps.slice(index, index + 2);
    return around.map((step) => step.id);
  });
}
