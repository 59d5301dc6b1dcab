/**
 * The check's fixed point set and how each point is measured. The points are the bench's
 * suite `check` (bench/shared/scenarios.ts), in the bench's terms and ids; how they are
 * measured is the check's own. Changing anything here changes what the numbers mean: the
 * settings are stored in the baseline, and a baseline recorded with other settings is refused
 * (re-record it).
 */
import { fixedServiceTime } from '../../servers/shared/service-time.js';
import { pointId as benchPointId } from '../shared/plan.js';
import {
  BOOK_ARCHITECTURES,
  findPattern,
  findSuite,
  findWorkload,
  type Suite,
  type TrafficPattern,
} from '../shared/scenarios.js';

function declared<T>(found: T | undefined, what: string): T {
  if (found === undefined) throw new Error(`bench/shared/scenarios.ts declares no ${what}`);
  return found;
}

const CHECK_SUITE: Suite = declared(findSuite('check'), "suite 'check'");
const CHECK_PATTERN: TrafficPattern = declared(findPattern(CHECK_SUITE.patterns[0] ?? ''), "the check suite's pattern");
const CHECK_CONNECTIONS: number = declared(CHECK_SUITE.connections[0], "the check suite's connections");

/**
 * Answers per measured chunk: about 15 ms of server CPU, long enough that reading /proc is
 * precise, short enough that a chunk often falls between two bursts of a neighbour's work.
 */
const ANSWERS_PER_CHUNK: Readonly<Record<string, number>> = { none: 1000, 'cpu-50': 250 };

export interface CheckWorkload {
  name: string;
  cpuUs: number;
  /** See ANSWERS_PER_CHUNK. */
  answersPerChunk: number;
}

export const CHECK_WORKLOADS: readonly CheckWorkload[] = CHECK_SUITE.workloads.map((name) => ({
  name,
  // The check adds work to its points' (--inject-pct), which a fixed cost makes exact.
  cpuUs: fixedServiceTime(declared(findWorkload(name), `workload '${name}'`).cpuUs, `workload '${name}'`),
  answersPerChunk: declared(ANSWERS_PER_CHUNK[name], `chunk size for workload '${name}'`),
}));

export interface CheckPoint {
  id: string;
  architecture: string;
  workload: CheckWorkload;
}

export interface MeasureSettings {
  /**
   * One connection, one question in flight: every answer is the same sequence of events
   * (wake, read, work, write), so the cost per answer does not depend on how requests happen
   * to batch, which moves with the machine's load. It also lets the blocking server serve.
   */
  connections: number;
  pipeline: number;
  /** Fixed, so that pool and cluster are the same point on a machine with more cores. */
  workers: number;
  /**
   * Answers before measuring, on a fresh server, in chunk-sized loads on a new connection
   * each (so that both cluster workers get their share). V8 needs thousands of answers to
   * reach its optimised code (measured: ~6000 for async, ~12000 for cluster, whose two
   * workers each see half); a chunk measured before that costs up to three times a warm one.
   */
  warmupAnswers: number;
  /**
   * Chunks run and thrown away after the warm-up: the first few chunk-sized loads (a new
   * connection each) still cost up to three times a settled one, while V8 finishes compiling
   * in the background on the one CPU.
   */
  settleChunks: number;
  /**
   * Bumped when how the chunks are run changes, so that older baselines are refused.
   * 3: the points of a repetition are measured together, their chunks interleaved (measure.ts).
   */
  procedure: number;
  /** The checker and its servers run on one CPU (see pin.ts). */
  oneCpu: boolean;
  /**
   * Measured chunks per repetition. Interleaved with the other points' chunks they span the
   * repetition's ~15 s, so a slow episode of the machine (~1 s) touches only a few of them.
   */
  chunksPerRepetition: number;
  /**
   * Which quantile of a repetition's chunk costs stands for it. Interference only ever adds
   * CPU time, so a low quantile is closer to the true cost than the mean; not the minimum,
   * which a single odd chunk would decide.
   */
  chunkQuantile: number;
  /** Fresh server processes per point; the check takes their lower quartile (lib/stats.ts, quietFigure). */
  repetitions: number;
}

export const CHECK_SETTINGS: Readonly<MeasureSettings> = Object.freeze({
  connections: CHECK_CONNECTIONS,
  pipeline: CHECK_PATTERN.pipeline,
  workers: 2,
  warmupAnswers: 10_000,
  settleChunks: 3,
  procedure: 3,
  oneCpu: true,
  chunksPerRepetition: 24,
  chunkQuantile: 0.25,
  repetitions: 5,
});

/**
 * The settings that must match between baseline and check for their numbers to compare; the
 * repetitions are left out, since a baseline takes more of them than a check.
 */
const FINGERPRINTED = [
  'connections',
  'pipeline',
  'workers',
  'warmupAnswers',
  'settleChunks',
  'procedure',
  'oneCpu',
  'chunksPerRepetition',
  'chunkQuantile',
] as const satisfies readonly (keyof MeasureSettings)[];

export function settingsFingerprint(settings: MeasureSettings, workloads: readonly CheckWorkload[]): string {
  return JSON.stringify({
    ...Object.fromEntries(FINGERPRINTED.map((key) => [key, settings[key]])),
    workloads: workloads.map(({ name, cpuUs, answersPerChunk }) => ({ name, cpuUs, answersPerChunk })),
  });
}

export function pointId(architecture: string, workload: CheckWorkload): string {
  return benchPointId(architecture, workload.name, CHECK_PATTERN.name, CHECK_CONNECTIONS);
}

export function checkPoints(
  architectures: readonly string[] = BOOK_ARCHITECTURES,
  workloads: readonly CheckWorkload[] = CHECK_WORKLOADS,
): CheckPoint[] {
  return architectures.flatMap((architecture) =>
    workloads.map((workload) => ({ id: pointId(architecture, workload), architecture, workload })),
  );
}
