/**
 * `npm run bench:check`: measure the fixed point set, compare each point with the baseline,
 * measure again every point that looks regressed, and give a verdict with an exit code.
 */
import {
  compare,
  outcomeOf,
  type Comparison,
  type ThresholdPolicy,
  type Verdict,
  verdictFor,
  EXIT_CANNOT_RUN,
} from './decide.js';
import { BaselineError, readBaseline, type BaselineFile, type BaselinePoint } from './baseline.js';
import { chooseMetric, METRICS, type CostMetric } from './metrics.js';
import type { MetricProbe } from './probe.js';
import {
  checkPoints,
  settingsFingerprint,
  CHECK_WORKLOADS,
  type CheckPoint,
  type CheckWorkload,
  type MeasureSettings,
} from './check-points.js';
import {
  enoughRepetitions,
  measureRound,
  MIN_REPETITIONS,
  type PointRound,
  type RepetitionMeasurer,
} from './session.js';
import { medianOrNull } from '../../lib/stats.js';
import { machineChanges, type MachineTraits } from './machine-changes.js';

export const CHECK_REPORT_VERSION = 1;

/** Standard deviations of the difference of the figures that count as a change (see docs/check.md). */
export const THRESHOLD_MULTIPLE = 4;

export interface CheckRequest {
  baselinePath: string;
  settings: MeasureSettings;
  workloads?: readonly CheckWorkload[];
  architectures?: readonly string[];
  /** Adds this percentage of each point's baseline cost as --cpu-us work (sensitivity proof). */
  injectPct: number;
  /** Adds this many cpu-us of work to every answer of every point. */
  extraCpuUs: number;
  probe: MetricProbe;
  /** This machine, to be set beside the baseline's; without it the report names no difference. */
  machine?: MachineTraits;
  measure?: RepetitionMeasurer;
  onProgress?: (line: string) => void;
}

export interface PointInfo {
  cpuUsPerAnswerBaseline: number;
  cpuUsPerAnswerNow: number | null;
  throughputBaseline: number;
  throughputNow: number | null;
  latencyP99BaselineUs: number;
  latencyP99NowUs: number | null;
}

export interface PointReport {
  id: string;
  verdict: Verdict;
  /** Why a point could not be judged; null otherwise. */
  reason: string | null;
  first: Comparison | null;
  /** The second, independent measurement of a point that looked regressed. */
  confirmation: Comparison | null;
  values: number[];
  confirmationValues: number[];
  /** cpu-us of work injected per answer, and what fraction of the baseline cost that is. */
  extraCpuUs: number;
  injectedFraction: number | null;
  failures: string[];
  info: PointInfo | null;
}

export interface CheckReport {
  tool: 'zenbench';
  kind: 'regression-check';
  reportVersion: typeof CHECK_REPORT_VERSION;
  startedAt: string;
  durationS: number;
  baselinePath: string;
  baselineRecordedAt: string | null;
  metric: CostMetric | null;
  metricNotes: string[];
  policy: ThresholdPolicy | null;
  referenceUsPerUnit: { baseline: number | null; now: number | null };
  /** How this machine differs from the baseline's ("kernel a → b"); empty when they agree. */
  machineChanges: string[];
  points: PointReport[];
  exitCode: number;
  summary: string;
}

interface Prepared {
  baseline: BaselineFile;
  metric: CostMetric;
  points: CheckPoint[];
}

function emptyReport(
  request: CheckRequest,
  startedAt: Date,
  summary: string,
  baseline: BaselineFile | null,
  metric: CostMetric | null,
): CheckReport {
  return {
    tool: 'zenbench',
    kind: 'regression-check',
    reportVersion: CHECK_REPORT_VERSION,
    startedAt: startedAt.toISOString(),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    baselinePath: request.baselinePath,
    baselineRecordedAt: baseline?.recordedAt ?? null,
    metric,
    metricNotes: request.probe.notes,
    policy: metric === null ? null : { multiple: THRESHOLD_MULTIPLE, floor: METRICS[metric].floor },
    referenceUsPerUnit: { baseline: baseline?.referenceUsPerUnit ?? null, now: null },
    machineChanges:
      baseline === null || request.machine === undefined ? [] : machineChanges(baseline.environment, request.machine),
    points: [],
    exitCode: EXIT_CANNOT_RUN,
    summary,
  };
}

/** Everything that can stop the check before it measures: the baseline, the settings, the metric. */
export function prepareCheck(request: CheckRequest): Prepared | { cannotRun: string; baseline: BaselineFile | null } {
  let baseline: BaselineFile;
  try {
    baseline = readBaseline(request.baselinePath);
  } catch (error) {
    if (error instanceof BaselineError) return { cannotRun: error.message, baseline: null };
    throw error;
  }
  const workloads = request.workloads ?? CHECK_WORKLOADS;
  if (baseline.settingsFingerprint !== settingsFingerprint(request.settings, workloads)) {
    return {
      cannotRun: `${request.baselinePath} was recorded with other measurement settings; re-record it with npm run bench:baseline`,
      baseline,
    };
  }
  const metric = chooseMetric(request.probe.measurable, baseline.metrics);
  if (metric === null) {
    const now = request.probe.measurable.join(', ') || 'none';
    return {
      cannotRun: `no cost metric both measurable here (${now}; ${request.probe.notes.join('; ')}) and in the baseline (${baseline.metrics.join(', ')})`,
      baseline,
    };
  }
  return { baseline, metric, points: checkPoints(request.architectures, workloads) };
}

function valuesOf(round: PointRound, metric: CostMetric): number[] {
  return round.results.flatMap((result) => {
    const value = result.metrics[metric];
    return value === undefined ? [] : [value];
  });
}

function infoOf(baselinePoint: BaselinePoint, round: PointRound | undefined): PointInfo {
  const results = round?.results ?? [];
  return {
    cpuUsPerAnswerBaseline: baselinePoint.cpuUsPerAnswer,
    cpuUsPerAnswerNow: medianOrNull(results.map((result) => result.cpuUsPerAnswer)),
    throughputBaseline: baselinePoint.throughput,
    throughputNow: medianOrNull(results.map((result) => result.throughput)),
    latencyP99BaselineUs: baselinePoint.latencyP99Us,
    latencyP99NowUs: medianOrNull(results.map((result) => result.latencyP99Us)),
  };
}

/**
 * What one cpu-us of --cpu-us work adds to an answer of this architecture, in the metric's
 * normalised units: the slope between the baseline's no-work and CPU-bound points. It is not 1:
 * a server burns a cpu-us more slowly than the checker's warm, uninterrupted reference loop.
 */
export function costPerCpuUs(baseline: BaselineFile, architecture: string): number | null {
  const points = baseline.points
    .filter((point) => point.architecture === architecture && point.metrics['normalised-cpu'] !== undefined)
    .sort((a, b) => a.workload.cpuUs - b.workload.cpuUs);
  const light = points[0];
  const heavy = points[points.length - 1];
  if (light === undefined || heavy === undefined || heavy.workload.cpuUs === light.workload.cpuUs) return null;
  const rise = (heavy.metrics['normalised-cpu']?.figure ?? 0) - (light.metrics['normalised-cpu']?.figure ?? 0);
  const slope = rise / (heavy.workload.cpuUs - light.workload.cpuUs);
  return slope > 0 ? slope : null;
}

export interface Injection {
  extraCpuUs: number;
  /** The cost increase that work amounts to, as a fraction of the point's baseline cost; null if unknown. */
  fraction: number | null;
}

/**
 * cpu-us to add to a point's answers for the sensitivity proof: injectPct of its baseline
 * cost, converted with the architecture's cost per cpu-us. --cpu-us takes whole units, so the
 * share is rounded; the report gives the share actually injected.
 */
export function injectionFor(
  baseline: BaselineFile,
  point: CheckPoint,
  injectPct: number,
  extraCpuUs: number,
): Injection {
  const cost = baseline.points.find((candidate) => candidate.id === point.id)?.metrics['normalised-cpu']?.figure;
  const slope = costPerCpuUs(baseline, point.architecture);
  const added =
    injectPct > 0 && cost !== undefined && slope !== null ? Math.round(((injectPct / 100) * cost) / slope) : 0;
  const total = extraCpuUs + added;
  return { extraCpuUs: total, fraction: cost === undefined || slope === null ? null : (total * slope) / cost };
}

/**
 * The first look at a point: compared with its baseline, or the reason it cannot be. Pure,
 * so that tests can drive it with synthetic rounds.
 */
export function firstLook(
  baselinePoint: BaselinePoint | undefined,
  metric: CostMetric,
  round: PointRound,
  policy: ThresholdPolicy,
): { comparison: Comparison } | { verdict: 'unmeasured' | 'not-in-baseline'; reason: string } {
  const samples = baselinePoint?.metrics[metric];
  if (baselinePoint === undefined || samples === undefined) {
    return { verdict: 'not-in-baseline', reason: `the baseline has no ${metric} figures for this point; re-record it` };
  }
  if (!enoughRepetitions(round)) {
    const why = round.failures[0] ?? `no ${metric} figure`;
    return {
      verdict: 'unmeasured',
      reason: `${round.results.length} of ${MIN_REPETITIONS} repetitions needed succeeded (${why})`,
    };
  }
  return { comparison: compare(samples.values, valuesOf(round, metric), policy) };
}

export async function runCheck(request: CheckRequest): Promise<CheckReport> {
  const startedAt = new Date();
  const prepared = prepareCheck(request);
  if ('cannotRun' in prepared) return emptyReport(request, startedAt, prepared.cannotRun, prepared.baseline, null);
  const { baseline, metric, points } = prepared;
  const policy: ThresholdPolicy = { multiple: THRESHOLD_MULTIPLE, floor: METRICS[metric].floor };
  const baselineById = new Map(baseline.points.map((point) => [point.id, point]));
  const extraCpuUs = (point: CheckPoint): number =>
    injectionFor(baseline, point, request.injectPct, request.extraCpuUs).extraCpuUs;
  const progress = (label: string) => (done: number, total: number) =>
    request.onProgress?.(`${label}: repetition ${done}/${total} done`);

  const common = {
    settings: request.settings,
    repetitions: request.settings.repetitions,
    extraCpuUs,
    countInstructions: metric === 'instructions',
    ...(request.measure === undefined ? {} : { measure: request.measure }),
  };
  const measurable = points.filter((point) => baselineById.has(point.id));
  const firstRounds = await measureRound({ ...common, points: measurable, onRepetition: progress('measuring') });

  const looks = new Map(
    points.map((point) => {
      const round = firstRounds.get(point.id) ?? { point, results: [], failures: [] };
      return [point.id, { round, look: firstLook(baselineById.get(point.id), metric, round, policy) }];
    }),
  );
  const suspects = points.filter((point) => {
    const look = looks.get(point.id)?.look;
    return look !== undefined && 'comparison' in look && look.comparison.direction === 'higher';
  });
  // Every point is measured again, not only the suspects: a suspect measured alone would have
  // no other points to interleave with, and its chunks would fit in one slow episode again.
  const confirmations =
    suspects.length === 0
      ? new Map<string, PointRound>()
      : await measureRound({
          ...common,
          points: measurable,
          onRepetition: progress(`re-measuring (${suspects.map((point) => point.id).join(', ')} looked regressed)`),
        });

  const reports: PointReport[] = points.map((point) => {
    const entry = looks.get(point.id);
    const baselinePoint = baselineById.get(point.id);
    const round = entry?.round;
    const look = entry?.look;
    const base = {
      id: point.id,
      values: round === undefined ? [] : valuesOf(round, metric),
      extraCpuUs: extraCpuUs(point),
      injectedFraction: injectionFor(baseline, point, request.injectPct, request.extraCpuUs).fraction,
      failures: round?.failures ?? [],
      info: baselinePoint === undefined ? null : infoOf(baselinePoint, round),
    };
    if (look === undefined || !('comparison' in look)) {
      return {
        ...base,
        verdict: look?.verdict ?? 'unmeasured',
        reason: look?.reason ?? 'not measured',
        first: null,
        confirmation: null,
        confirmationValues: [],
      };
    }
    const confirmationRound = look.comparison.direction === 'higher' ? confirmations.get(point.id) : undefined;
    let confirmation: Comparison | null = null;
    let reason: string | null = null;
    let verdict: Verdict;
    if (look.comparison.direction === 'higher') {
      const again =
        confirmationRound === undefined ? null : firstLook(baselinePoint, metric, confirmationRound, policy);
      if (again === null || !('comparison' in again)) {
        verdict = 'unmeasured';
        reason =
          again === null ? 'not measured again' : `looked regressed, and measuring again failed: ${again.reason}`;
      } else {
        confirmation = again.comparison;
        verdict = verdictFor(look.comparison, confirmation);
      }
    } else {
      verdict = verdictFor(look.comparison, null);
    }
    return {
      ...base,
      verdict,
      reason,
      first: look.comparison,
      confirmation,
      confirmationValues: confirmationRound === undefined ? [] : valuesOf(confirmationRound, metric),
      failures: [...base.failures, ...(confirmationRound?.failures ?? [])],
    };
  });

  const outcome = outcomeOf(
    reports.map((report) => ({
      id: report.id,
      verdict: report.verdict,
      ...(report.reason === null ? {} : { reason: report.reason }),
    })),
  );
  const references = [...firstRounds.values(), ...confirmations.values()].flatMap((round) =>
    round.results.map((result) => result.referenceUsPerUnit),
  );
  return {
    ...emptyReport(request, startedAt, outcome.summary, baseline, metric),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    referenceUsPerUnit: {
      baseline: baseline.referenceUsPerUnit,
      now: medianOrNull(references),
    },
    points: reports,
    exitCode: outcome.exitCode,
  };
}
