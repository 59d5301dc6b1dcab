/**
 * One repetition of a set of points, interleaved: a fresh server for every point, all warmed,
 * then the measured chunks in turn (chunk 1 of every point, chunk 2 of every point, ...), with
 * each server's tree CPU time read around each of its chunks and the normalisation reference
 * taken before and after.
 *
 * Why interleaved: on the shared VM the cost of an answer moves between two levels (11 and
 * 14 µs for a bare Node echo) in episodes of about a second, whatever runs on it. Measured
 * back to back, one point's chunks all fit in such an episode and the whole point reads 20%
 * dearer; spread over the repetition, an episode touches a few chunks of every point, and
 * the low quantile of each point's chunks passes over them.
 *
 * The load generator runs in this process; only the servers' own processes are counted.
 */
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadResult } from '../../loadgen/index.js';
import { launchServer, type LaunchedServer } from '../../servers/launch.js';
import { listProcessTree } from '../../lib/process-tree.js';
import { countInstructions } from './instructions.js';
import type { CostMetric } from './metrics.js';
import { measureReference } from '../shared/cpu-reference.js';
import type { CheckPoint, MeasureSettings } from './check-points.js';
import { median, quantile } from '../../lib/stats.js';
import { cpuUsBetween, readTreeCpu } from '../../lib/tree-cpu.js';

/** Upper bound on one chunk's load: a few hundred ms is normal, this is a server gone wrong. */
const CHUNK_LIMIT_S = 20;
const QUESTION_TIMEOUT_MS = 5000;

export interface RepetitionResult {
  pointId: string;
  /** Per answer, in each metric measured (see metrics.ts for units). */
  metrics: Partial<Record<CostMetric, number>>;
  /** Server tree CPU microseconds per answer of each measured chunk. */
  chunkCpuUsPerAnswer: number[];
  /** The repetition's figure: the settings' quantile of the chunks. */
  cpuUsPerAnswer: number;
  /** CPU microseconds of one cpu-us of burnCpu work in this process, around this repetition. */
  referenceUsPerUnit: number;
  /** Chunks timed in clock ticks because a server thread exited during them. */
  impreciseChunks: number;
  /** For information beside the cost: the median chunk's answers/s and latency. */
  throughput: number;
  latencyP50Us: number;
  latencyP99Us: number;
  loadgenSaturated: boolean;
  /** cpu-us of work added to every answer (--inject-pct, --extra-cpu-us); 0 normally. */
  extraCpuUs: number;
}

export class MeasurementError extends Error {}

export interface RepetitionRequest {
  point: CheckPoint;
  settings: MeasureSettings;
  extraCpuUs: number;
  countInstructions: boolean;
}

/** One repetition's outcome for one point: its figures, or why it has none. */
export type RepetitionOutcome = RepetitionResult | MeasurementError;

/** One point's server through a repetition. */
interface PointRun {
  request: RepetitionRequest;
  server: LaunchedServer | null;
  failure: MeasurementError | null;
  chunkCpuUsPerAnswer: number[];
  loads: LoadResult[];
  impreciseChunks: number;
  answered: number;
  counter: { stop: () => Promise<number | null> } | null;
  instructions: number | null;
}

async function loadChunk(server: LaunchedServer, settings: MeasureSettings, answers: number): Promise<LoadResult> {
  const result = await runLoad({
    ...DEFAULT_LOAD_OPTIONS,
    host: server.host,
    port: server.port,
    mode: 'closed',
    connections: settings.connections,
    pipeline: settings.pipeline,
    warmupS: 0,
    durationS: CHUNK_LIMIT_S,
    requests: answers,
    timeoutMs: QUESTION_TIMEOUT_MS,
    threads: 1,
  });
  if (result.errorTotal > 0 || result.requests < answers) {
    throw new MeasurementError(
      `load had ${result.errorTotal} errors (${JSON.stringify(result.errors)}) and ${result.requests} of ${answers} answers`,
    );
  }
  return result;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Takes a run out of the repetition with the reason, its server's last words included. */
async function abandon(run: PointRun, error: unknown): Promise<void> {
  const tail = run.server?.stderrTail().trim() ?? '';
  run.failure = new MeasurementError(`${messageOf(error)}${tail === '' ? '' : `; server stderr: ${tail}`}`);
  const { server, counter } = run;
  run.server = null;
  run.counter = null;
  await counter?.stop();
  await server?.stop();
}

/** Runs `step` for every run still in the repetition, one after the other. */
async function inTurn(
  runs: readonly PointRun[],
  step: (run: PointRun, server: LaunchedServer) => Promise<void>,
): Promise<void> {
  for (const run of runs) {
    if (run.server === null) continue;
    try {
      await step(run, run.server);
    } catch (error) {
      await abandon(run, error);
    }
  }
}

async function measuredChunk(run: PointRun, server: LaunchedServer): Promise<void> {
  const answers = run.request.point.workload.answersPerChunk;
  const before = readTreeCpu(server.pid);
  const load = await loadChunk(server, run.request.settings, answers);
  const { cpuUs, precise } = cpuUsBetween(before, readTreeCpu(server.pid));
  if (!precise) run.impreciseChunks++;
  run.chunkCpuUsPerAnswer.push(cpuUs / load.requests);
  run.loads.push(load);
  run.answered += load.requests;
}

function resultOf(run: PointRun, referenceUsPerUnit: number): RepetitionOutcome {
  if (run.failure !== null) return run.failure;
  const { request } = run;
  const cpuUsPerAnswer = quantile(run.chunkCpuUsPerAnswer, request.settings.chunkQuantile);
  const metrics: Partial<Record<CostMetric, number>> = { 'normalised-cpu': cpuUsPerAnswer / referenceUsPerUnit };
  if (run.instructions !== null) metrics.instructions = run.instructions / run.answered;
  return {
    pointId: request.point.id,
    metrics,
    chunkCpuUsPerAnswer: run.chunkCpuUsPerAnswer,
    cpuUsPerAnswer,
    referenceUsPerUnit,
    impreciseChunks: run.impreciseChunks,
    throughput: median(run.loads.map((load) => load.throughput)),
    latencyP50Us: median(run.loads.map((load) => load.latencyUs.p50)),
    latencyP99Us: median(run.loads.map((load) => load.latencyUs.p99)),
    loadgenSaturated: run.loads.some((load) => load.saturated),
    extraCpuUs: request.extraCpuUs,
  };
}

/**
 * Measures one repetition of every requested point, interleaved; returns an outcome per
 * request, in order. A point that fails (its server will not start, errs or dies) is taken out
 * with its reason and the others go on.
 */
export async function measureRepetitions(requests: readonly RepetitionRequest[]): Promise<RepetitionOutcome[]> {
  const runs: PointRun[] = requests.map((request) => ({
    request,
    server: null,
    failure: null,
    chunkCpuUsPerAnswer: [],
    loads: [],
    impreciseChunks: 0,
    answered: 0,
    counter: null,
    instructions: null,
  }));
  let referenceBefore: number;
  let referenceAfter: number;
  try {
    for (const run of runs) {
      const { point, settings, extraCpuUs } = run.request;
      try {
        run.server = await launchServer({
          architecture: point.architecture,
          port: 0,
          cpuUs: point.workload.cpuUs + extraCpuUs,
          workers: settings.workers,
        });
      } catch (error) {
        run.failure = new MeasurementError(messageOf(error));
      }
    }
    // Chunk-sized loads, each on a new connection, as the measured ones: the cluster primary
    // hands each connection to the next worker, so every worker warms, not only the first.
    const warmupChunks = (run: PointRun): number =>
      Math.ceil(run.request.settings.warmupAnswers / run.request.point.workload.answersPerChunk) +
      run.request.settings.settleChunks;
    const rounds = Math.max(0, ...runs.map(warmupChunks));
    for (let round = 0; round < rounds; round++) {
      await inTurn(runs, async (run, server) => {
        if (round < warmupChunks(run))
          await loadChunk(server, run.request.settings, run.request.point.workload.answersPerChunk);
      });
    }

    referenceBefore = measureReference();
    await inTurn(runs, async (run, server) => {
      if (run.request.countInstructions) run.counter = await countInstructions(listProcessTree(server.pid));
    });
    const chunks = Math.max(0, ...runs.map((run) => run.request.settings.chunksPerRepetition));
    for (let chunk = 0; chunk < chunks; chunk++) {
      await inTurn(runs, async (run, server) => {
        if (chunk < run.request.settings.chunksPerRepetition) await measuredChunk(run, server);
      });
    }
    await inTurn(runs, async (run) => {
      if (run.counter !== null) run.instructions = await run.counter.stop();
    });
    referenceAfter = measureReference();
  } finally {
    await Promise.all(runs.map(async (run) => run.server?.stop()));
  }
  // The smaller of the two: like a chunk, the reference can only be slowed by interference.
  const referenceUsPerUnit = Math.min(referenceBefore, referenceAfter);
  return runs.map((run) => resultOf(run, referenceUsPerUnit));
}
