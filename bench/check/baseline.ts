/**
 * reference/check-baseline.json: what `npm run bench:baseline` records and `npm run bench:check`
 * compares with. Every repetition's figure is kept, not only the point's, because the
 * threshold of each point is computed from the spread of its repetitions. docs/check.md
 * documents the format; a change that breaks readers bumps BASELINE_FORMAT_VERSION.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readText } from '../../lib/read-text.js';
import type { BenchEnvironment } from '../report/results-format.js';
import { isCostMetric, type CostMetric } from './metrics.js';
import type { MeasureSettings } from './check-points.js';

export const BASELINE_FORMAT_VERSION = 1;

export interface MetricSamples {
  /** The point's figure: lower quartile of the repetitions (lib/stats.ts, quietFigure). */
  figure: number;
  /** One figure per repetition (a fresh server each). */
  values: number[];
  /** Relative robust standard deviation of the values (relativeSpread), for readers; the check recomputes it. */
  spread: number;
}

export interface BaselinePoint {
  id: string;
  architecture: string;
  workload: { name: string; cpuUs: number; answersPerChunk: number };
  metrics: Partial<Record<CostMetric, MetricSamples>>;
  /** Raw CPU time per answer (not normalised), for people reading the file. */
  cpuUsPerAnswer: number;
  /** For information only; never judged. */
  throughput: number;
  latencyP50Us: number;
  latencyP99Us: number;
}

export interface BaselineFile {
  tool: 'zenbench';
  kind: 'regression-baseline';
  baselineFormatVersion: typeof BASELINE_FORMAT_VERSION;
  recordedAt: string;
  environment: BenchEnvironment;
  settings: MeasureSettings;
  /** Must equal the check's own, or the numbers do not compare (see scenarios.ts). */
  settingsFingerprint: string;
  /** Metrics this machine could measure when recording, best first. */
  metrics: CostMetric[];
  /** Median CPU microseconds of one cpu-us of burnCpu work over the recording. */
  referenceUsPerUnit: number;
  points: BaselinePoint[];
}

export class BaselineError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function checkSamples(source: string, id: string, metric: string, samples: unknown): void {
  if (
    !isRecord(samples) ||
    !isPositiveNumber(samples.figure) ||
    !Array.isArray(samples.values) ||
    samples.values.length === 0 ||
    !samples.values.every(isPositiveNumber) ||
    typeof samples.spread !== 'number'
  ) {
    throw new BaselineError(`${source}: point ${id} has malformed ${metric} figures`);
  }
}

/** Parses and checks what the check relies on; anything else wrong is a BaselineError. */
export function parseBaseline(text: string, source: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data) || data.tool !== 'zenbench' || data.kind !== 'regression-baseline') {
    throw new BaselineError(`${source}: not a zenbench regression baseline`);
  }
  if (data.baselineFormatVersion !== BASELINE_FORMAT_VERSION) {
    throw new BaselineError(
      `${source}: baselineFormatVersion ${String(data.baselineFormatVersion)} is not the supported ${BASELINE_FORMAT_VERSION}; re-record with npm run bench:baseline`,
    );
  }
  if (
    typeof data.settingsFingerprint !== 'string' ||
    !Array.isArray(data.metrics) ||
    !data.metrics.every(isCostMetric)
  ) {
    throw new BaselineError(`${source}: settings or metrics missing`);
  }
  if (!Array.isArray(data.points) || data.points.length === 0) throw new BaselineError(`${source}: no points`);
  for (const point of data.points) {
    if (!isRecord(point) || typeof point.id !== 'string' || !isRecord(point.metrics)) {
      throw new BaselineError(`${source}: a point lacks its id or metrics`);
    }
    for (const [metric, samples] of Object.entries(point.metrics)) {
      if (!isCostMetric(metric)) throw new BaselineError(`${source}: point ${point.id} has unknown metric ${metric}`);
      checkSamples(source, point.id, metric, samples);
    }
  }
  return data as unknown as BaselineFile;
}

export function readBaseline(path: string): BaselineFile {
  const read = readText(path);
  if ('problem' in read) {
    const why = read.missing ? 'no such file; record one with npm run bench:baseline' : read.problem;
    throw new BaselineError(`cannot read baseline ${path}: ${why}`);
  }
  return parseBaseline(read.text, path);
}

/** Written to a temporary file and renamed, so an interrupted recording leaves the old baseline whole. */
export function writeBaseline(path: string, baseline: BaselineFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(baseline, null, 2)}\n`);
  renameSync(temporary, path);
}
