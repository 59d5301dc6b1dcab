/**
 * The bench results file, <out>/<UTC timestamp>.json: its shape, its version, and reading
 * it back. bench:compare reads these files; docs/bench.md documents every field. A change
 * that breaks readers bumps FORMAT_VERSION.
 */
import { runtimeLabel } from '../../lib/node-runtimes.js';
import { readText } from '../../lib/read-text.js';
import type { Instrument } from '../../loadgen/instruments.js';
import type { Arrivals } from '../../loadgen/arrivals.js';
import type { LoadMode, LoadResult } from '../../loadgen/types.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { summarizeRepetitions } from './point-summary.js';
import type { ClassSpread } from './run-to-run.js';

export const FORMAT_VERSION = 5;
/** Older versions this reader still takes: their summaries are worked out again from their repetitions. */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4, FORMAT_VERSION];

export interface BenchEnvironment {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  os: string;
  kernel: string;
  cpuModel: string;
  /** os.availableParallelism(): the cores this process may use; the physics depend on it. */
  cores: number;
  totalMemoryBytes: number;
  hostname: string;
  /** HEAD of the checkout the run was made from; null outside a git checkout. */
  gitCommit: string | null;
  /** True when the checkout had uncommitted changes. */
  gitDirty: boolean | null;
}

export interface PinSettings {
  /** --pin was asked for. */
  requested: boolean;
  /** taskset was found and used. */
  applied: boolean;
  /** CPU lists given to taskset -c, null when not pinned. */
  serverCpus: string | null;
  loadgenCpus: string | null;
}

export interface BenchOptionsRecord {
  suite: string;
  architectures: string[];
  workloads: string[];
  patterns: string[];
  connections: number[];
  warmupS: number;
  durationS: number;
  repeat: number;
  /** --workers given for pool and cluster; null: each server's default (the core count). */
  workers: number | null;
  pin: PinSettings;
  /** The command line as given, for the record. */
  argv: string[];
  /** --node: the Node release lines the servers ran under; null (and in files before format 4): the host's. */
  node: number[] | null;
  /** The open-loop sweeps measured; absent from files older than them, null when none. */
  open?: OpenOptionsRecord | null;
}

export interface OpenOptionsRecord {
  workloads: string[];
  protocols: ProtocolName[];
  /** How the questions arrived: Poisson, seeded by the round (the seed is the round's number). */
  arrivals: Arrivals;
  /** --slo-p99-ms when given; null: each workload's own objective (points[].open). */
  objectiveP99Ms: number | null;
}

/** A step of an open-loop sweep (points[].open). */
export interface OpenStepRecord {
  /** Questions per second offered. */
  rate: number;
  /** The objective the step was judged by: p99 within this many ms. */
  objectiveP99Ms: number;
  arrivals: Arrivals;
}

export interface WorkloadRecord {
  name: string;
  label: string;
  /** The mean cost of a question; with a distribution, the spec below says how it was drawn. */
  cpuUs: number;
  ioMs: number;
  /** The --cpu-us and --io-ms given (servers/shared/service-time.ts); absent from files older than them. */
  cpuUsSpec?: string;
  ioMsSpec?: string;
}

export interface PatternRecord {
  name: string;
  label: string;
  mode: LoadMode;
  pipeline: number;
  questions: number;
  /** Open mode: how the questions arrived; absent: uniform. */
  arrivals?: Arrivals;
}

export interface ServerMeasurement {
  /** CPU seconds of the server's process tree during the measured window (warm-up excluded). */
  cpuSeconds: number;
  /** cpuSeconds / answers in the window, in microseconds; null when there were no answers. */
  cpuUsPerAnswer: number | null;
  /** Peak RSS of the whole tree, sampled every ~150 ms from start-up to the end of the load. */
  peakRssBytes: number;
  /** Most processes seen in the tree at once. */
  processCount: number;
  /** Exit of the server after SIGTERM; graceful is false when it had to be killed. */
  exit: { code: number | null; signal: string | null; graceful: boolean } | null;
}

/** What each side got of the machine during the measured window (bench/run/window-meter.ts). */
export interface MachineShare {
  /** Wall seconds between the window's two readings. */
  windowS: number;
  /** Cores' worth of CPU (CPU seconds per wall second) the server's process tree used. */
  serverCores: number;
  /** The same for the load generator's process; null when unknown. */
  loadgenCores: number | null;
  /** Time the hypervisor gave to other guests while this one wanted to run, in cores. */
  stealCores: number | null;
  /** Every other process of the machine, the bench's own included, in cores. */
  otherCores: number | null;
  /** Steal or other processes above the limits of window-meter.ts: the window was disturbed. */
  disturbed: boolean;
}

export type FailureStage = 'start' | 'load' | 'stop' | 'crash';

export interface PointFailure {
  stage: FailureStage;
  message: string;
  /** The last lines the server wrote on stderr. */
  stderrTail: string;
}

export interface RepetitionResult {
  repetition: number;
  /** 'failed' when the server did not start, crashed, or did not exit cleanly. */
  status: 'ok' | 'failed';
  failure: PointFailure | null;
  /** The load generator's result for the measured window; null when it never ran. */
  load: LoadResult | null;
  server: ServerMeasurement | null;
  /** Since format 2; null when the window was not measured. */
  machine: MachineShare | null;
  /** Wall-clock seconds the whole point took, start-up and shutdown included. */
  wallS: number;
  /** Wall-clock seconds of each phase; what the time budget of a suite is made of. */
  phasesS: { start: number; warmup: number; measure: number; stop: number };
}

/** An interval around a median: see PointSummary.intervals. */
export interface FigureInterval {
  low: number;
  high: number;
}

/** Medians over the repetitions that have load figures, their intervals, and their spread. */
export interface PointSummary {
  repetitions: number;
  /**
   * The chance that each interval holds the figure's true median: distribution-free, from the
   * order statistics of the repetitions (lib/stats.ts, medianInterval). 0 with one repetition.
   */
  confidence: number;
  throughput: number;
  throughputMin: number;
  throughputMax: number;
  latencyP50Us: number;
  latencyP90Us: number;
  latencyP99Us: number;
  latencyP999Us: number;
  latencyMaxUs: number;
  cpuUsPerAnswer: number | null;
  /**
   * The intervals the reports print and judge by: where a repeat run's median falls, the wider
   * of withinRunIntervals and the spread between runs learned on this machine (run-to-run.ts,
   * BenchResults.runToRun); withinRunIntervals where no spread applied (and in files before format 5).
   */
  intervals: FigureIntervals;
  /** Confidence intervals of the medians from this run's repetitions alone (confidence). */
  withinRunIntervals: FigureIntervals;
  peakRssBytes: number | null;
  /** Cores' worth of CPU the server's tree and the load generator used in the window: medians. */
  serverCores: number | null;
  loadgenCores: number | null;
  /** Repetitions measured while the rest of the machine took a noticeable share (MachineShare). */
  disturbedRepetitions: number;
  /** Errors of every kind in the worst repetition (a median would hide a rare failure). */
  errorTotal: number;
  /** Connections that never got an answer (blocking server, persistent pattern): the median. */
  starvedConnections: number;
  /** The load generator was the bottleneck in at least one repetition. */
  saturated: boolean;
  /** At least one repetition failed. */
  failed: boolean;
}

export interface FigureIntervals {
  throughput: FigureInterval;
  latencyP50Us: FigureInterval;
  latencyP99Us: FigureInterval;
  cpuUsPerAnswer: FigureInterval | null;
}

export interface PointResult {
  id: string;
  architecture: string;
  /** The Node the server ran under, e.g. node24 (plan.ts); since format 4 (older files: the host's). */
  runtime: string;
  /** Its exact version, e.g. v24.21.0; since format 4 (older files: environment.node). */
  node: string;
  /** Since format 3 (older files: tcp). */
  protocol: ProtocolName;
  /** The load generator that measured it, since format 3 (older files: zenbench). */
  instrument: Instrument;
  workload: WorkloadRecord;
  pattern: PatternRecord;
  connections: number;
  warmupS: number;
  durationS: number;
  repetitions: RepetitionResult[];
  /** null when no repetition produced load figures. */
  summary: PointSummary | null;
  /** A step of an open-loop sweep; absent for closed-loop points (and from older files). */
  open?: OpenStepRecord;
}

/** One round of a run: when it began and how fast the machine did fixed work then. */
export interface RoundRecord {
  round: number;
  startedAt: string;
  /** CPU µs per cpu-us unit of the servers' own burnCpu work, in the bench's process (~15 ms of it). */
  referenceCpuUsPerUnit: number;
}

export interface BenchResults {
  formatVersion: typeof FORMAT_VERSION;
  tool: 'zenbench';
  startedAt: string;
  finishedAt: string;
  environment: BenchEnvironment;
  options: BenchOptionsRecord;
  /** Since format 2; empty in files read from format 1. */
  rounds: RoundRecord[];
  /** The spread between runs the intervals used; null: none given (and files before format 5). */
  runToRun: RunToRunRecord | null;
  points: PointResult[];
}

/** What a results file records of the spread its intervals used (results format 5). */
export interface RunToRunRecord {
  /** The spread file as given to --run-to-run. */
  source: string;
  /** When its runs started. */
  learnedFrom: string[];
  /** Its machine, described. */
  machine: string;
  /** False when it was learned on another machine: then every interval is this run's alone. */
  applied: boolean;
  /** Why it was not applied; null when it was. */
  why: string | null;
  /** Classes of this run the spread knows nothing of: their intervals are this run's alone. */
  missingClasses: string[];
  /** The spread of each of this run's classes it knows, as the file gave it: what widened the intervals. */
  classes: Record<string, ClassSpread>;
}

export class ResultsFormatError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks what readers rely on: the version, the environment and, for every point, its id and
 * summary's numbers. Deeper fields are trusted, as they come from the same writer.
 */
export function parseBenchResults(text: string, source = 'results'): BenchResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFormatError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data) || data.tool !== 'zenbench') {
    throw new ResultsFormatError(`${source}: not a zenbench results file`);
  }
  if (typeof data.formatVersion !== 'number' || !READABLE_VERSIONS.includes(data.formatVersion)) {
    throw new ResultsFormatError(
      `${source}: formatVersion ${String(data.formatVersion)} is not the supported ${FORMAT_VERSION} (older ${READABLE_VERSIONS.slice(0, -1).join(', ')} read too)`,
    );
  }
  if (!isRecord(data.environment) || !isRecord(data.options) || !Array.isArray(data.points)) {
    throw new ResultsFormatError(`${source}: environment, options or points missing`);
  }
  for (const point of data.points) {
    if (!isRecord(point) || typeof point.id !== 'string' || !Array.isArray(point.repetitions)) {
      throw new ResultsFormatError(`${source}: a point lacks its id or repetitions`);
    }
    const summary = point.summary;
    if (summary !== null && (!isRecord(summary) || typeof summary.throughput !== 'number')) {
      throw new ResultsFormatError(`${source}: point ${point.id} has a malformed summary`);
    }
  }
  // Rounds came after the rest of format 2; a file without them reads as one with none recorded.
  const results = { ...data, rounds: Array.isArray(data.rounds) ? data.rounds : [] } as unknown as BenchResults;
  return data.formatVersion === FORMAT_VERSION ? results : upgrade(results);
}

/**
 * An older file in today's shape: intervals from the run's own repetitions only (before format
 * 5); every server under the run's one Node (before format 4); before format 3 every point
 * over TCP by our generator (all there was); from format 1 also no machine shares or rounds (it
 * did not measure them), and summaries anew.
 */
function upgrade(results: BenchResults): BenchResults {
  const fromVersion = results.formatVersion as number;
  const node = results.environment.node;
  const runtime = runtimeLabel(Number(node.replace(/^v/, '').split('.')[0]));
  const withinRun = (summary: PointSummary | null): PointSummary | null =>
    summary === null ? null : { ...summary, withinRunIntervals: summary.intervals };
  return {
    ...results,
    formatVersion: FORMAT_VERSION,
    options: fromVersion >= 4 ? results.options : { ...results.options, node: null },
    rounds: fromVersion === 1 ? [] : results.rounds,
    runToRun: null,
    points: results.points.map((point) => {
      const onNode = fromVersion >= 4 ? point : { ...point, runtime, node };
      const summarized = { ...onNode, summary: withinRun(onNode.summary) };
      if (fromVersion >= 3) return summarized;
      const upgraded = { ...summarized, protocol: 'tcp' as const, instrument: 'zenbench' as const };
      if (fromVersion !== 1) return upgraded;
      const repetitions = point.repetitions.map((repetition) => ({
        ...repetition,
        machine: repetition.machine ?? null,
      }));
      return { ...upgraded, repetitions, summary: summarizeRepetitions(repetitions) };
    }),
  };
}

export function readBenchResults(path: string): BenchResults {
  const read = readText(path);
  if ('problem' in read) throw new ResultsFormatError(`${path}: cannot read (${read.problem})`);
  return parseBenchResults(read.text, path);
}
