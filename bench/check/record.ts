/**
 * `npm run bench:baseline`: measure the point set with three times the check's repetitions (the
 * baseline's figure and spread are then steadier than one check's) and write the baseline.
 */
import { collectEnvironment } from '../shared/environment.js';
import { BASELINE_FORMAT_VERSION, type BaselineFile, type BaselinePoint, type MetricSamples } from './baseline.js';
import { METRIC_PREFERENCE, type CostMetric } from './metrics.js';
import type { MetricProbe } from './probe.js';
import {
  checkPoints,
  settingsFingerprint,
  CHECK_WORKLOADS,
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
import { median, quietFigure, relativeSpread } from '../../lib/stats.js';

export const RECORD_REPETITION_FACTOR = 3;

export interface RecordRequest {
  settings: MeasureSettings;
  workloads?: readonly CheckWorkload[];
  architectures?: readonly string[];
  probe: MetricProbe;
  measure?: RepetitionMeasurer;
  onProgress?: (line: string) => void;
}

export class RecordError extends Error {}

function samplesOf(values: number[]): MetricSamples {
  return { figure: quietFigure(values), values, spread: relativeSpread(values) };
}

function baselinePointOf(round: PointRound, metrics: readonly CostMetric[]): BaselinePoint {
  const { point, results } = round;
  const figures: Partial<Record<CostMetric, MetricSamples>> = {};
  for (const metric of metrics) {
    const values = results.flatMap((result) => (result.metrics[metric] === undefined ? [] : [result.metrics[metric]]));
    if (values.length >= MIN_REPETITIONS) figures[metric] = samplesOf(values);
  }
  return {
    id: point.id,
    architecture: point.architecture,
    workload: {
      name: point.workload.name,
      cpuUs: point.workload.cpuUs,
      answersPerChunk: point.workload.answersPerChunk,
    },
    metrics: figures,
    cpuUsPerAnswer: median(results.map((result) => result.cpuUsPerAnswer)),
    throughput: median(results.map((result) => result.throughput)),
    latencyP50Us: median(results.map((result) => result.latencyP50Us)),
    latencyP99Us: median(results.map((result) => result.latencyP99Us)),
  };
}

/** Measures and returns the baseline; a point that could not be measured fails the recording. */
export async function recordBaseline(request: RecordRequest): Promise<BaselineFile> {
  const metrics = METRIC_PREFERENCE.filter((metric) => request.probe.measurable.includes(metric));
  if (metrics.length === 0)
    throw new RecordError(`no cost metric can be measured here: ${request.probe.notes.join('; ')}`);
  const workloads = request.workloads ?? CHECK_WORKLOADS;
  const points = checkPoints(request.architectures, workloads);
  const rounds = await measureRound({
    points,
    settings: request.settings,
    repetitions: request.settings.repetitions * RECORD_REPETITION_FACTOR,
    extraCpuUs: () => 0,
    countInstructions: metrics.includes('instructions'),
    ...(request.measure === undefined ? {} : { measure: request.measure }),
    onRepetition: (done, total) => request.onProgress?.(`recording: repetition ${done}/${total} done`),
  });
  const failed = [...rounds.values()].filter((round) => !enoughRepetitions(round));
  if (failed.length > 0) {
    const reasons = failed.map((round) => `${round.point.id}: ${round.failures[0] ?? 'no figures'}`);
    throw new RecordError(`could not measure ${reasons.join('; ')}`);
  }
  const references = [...rounds.values()].flatMap((round) => round.results.map((result) => result.referenceUsPerUnit));
  return {
    tool: 'zenbench',
    kind: 'regression-baseline',
    baselineFormatVersion: BASELINE_FORMAT_VERSION,
    recordedAt: new Date().toISOString(),
    environment: collectEnvironment(),
    settings: { ...request.settings },
    settingsFingerprint: settingsFingerprint(request.settings, workloads),
    metrics,
    referenceUsPerUnit: median(references),
    points: [...rounds.values()].map((round) => baselinePointOf(round, metrics)),
  };
}
