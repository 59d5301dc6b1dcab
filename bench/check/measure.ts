/**
 * One repetition of one point: a fresh server, a warm-up, then short measured chunks with the
 * server's tree CPU time read around each, and the normalisation reference taken before and
 * after. The load generator runs in this process; only the server's own processes are counted.
 */
import { DEFAULT_LOAD_OPTIONS, runLoad, type LoadResult } from '../../loadgen/index.js';
import { launchServer, type LaunchedServer } from '../../servers/launch.js';
import { listProcessTree } from '../process-tree.js';
import { countInstructions } from './instructions.js';
import type { CostMetric } from './metrics.js';
import { measureReference } from './reference.js';
import type { CheckPoint, MeasureSettings } from './scenarios.js';
import { median, quantile } from './stats.js';
import { cpuUsBetween, readTreeCpu } from './tree-cpu.js';

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

async function measureChunks(server: LaunchedServer, request: RepetitionRequest) {
  const { settings, point } = request;
  const answers = point.workload.answersPerChunk;
  // Chunk-sized loads, each on a new connection, as the measured ones: the cluster primary
  // hands each connection to the next worker, so every worker warms, not only the first.
  const warmupChunks = Math.ceil(settings.warmupAnswers / answers) + settings.settleChunks;
  for (let chunk = 0; chunk < warmupChunks; chunk++) await loadChunk(server, settings, answers);

  const counter = request.countInstructions ? await countInstructions(listProcessTree(server.pid)) : null;
  const chunkCpuUsPerAnswer: number[] = [];
  const loads: LoadResult[] = [];
  let impreciseChunks = 0;
  let answered = 0;
  for (let chunk = 0; chunk < settings.chunksPerRepetition; chunk++) {
    const before = readTreeCpu(server.pid);
    const load = await loadChunk(server, settings, answers);
    const { cpuUs, precise } = cpuUsBetween(before, readTreeCpu(server.pid));
    if (!precise) impreciseChunks++;
    chunkCpuUsPerAnswer.push(cpuUs / load.requests);
    loads.push(load);
    answered += load.requests;
  }
  const instructions = counter === null ? null : await counter.stop();
  return { chunkCpuUsPerAnswer, loads, impreciseChunks, instructionsPerAnswer: instructions === null ? null : instructions / answered };
}

export async function measureRepetition(request: RepetitionRequest): Promise<RepetitionResult> {
  const { point, settings, extraCpuUs } = request;
  const server = await launchServer({
    architecture: point.architecture,
    port: 0,
    cpuUs: point.workload.cpuUs + extraCpuUs,
    workers: settings.workers,
  });
  let measured;
  const referenceBefore = measureReference();
  try {
    measured = await measureChunks(server, request);
  } catch (error) {
    const tail = server.stderrTail().trim();
    throw new MeasurementError(`${error instanceof Error ? error.message : String(error)}${tail === '' ? '' : `; server stderr: ${tail}`}`);
  } finally {
    await server.stop();
  }
  // The smaller of the two: like a chunk, the reference can only be slowed by interference.
  const referenceUsPerUnit = Math.min(referenceBefore, measureReference());
  const cpuUsPerAnswer = quantile(measured.chunkCpuUsPerAnswer, settings.chunkQuantile);
  const metrics: Partial<Record<CostMetric, number>> = { 'normalised-cpu': cpuUsPerAnswer / referenceUsPerUnit };
  if (measured.instructionsPerAnswer !== null) metrics.instructions = measured.instructionsPerAnswer;
  return {
    pointId: point.id,
    metrics,
    chunkCpuUsPerAnswer: measured.chunkCpuUsPerAnswer,
    cpuUsPerAnswer,
    referenceUsPerUnit,
    impreciseChunks: measured.impreciseChunks,
    throughput: median(measured.loads.map((load) => load.throughput)),
    latencyP50Us: median(measured.loads.map((load) => load.latencyUs.p50)),
    latencyP99Us: median(measured.loads.map((load) => load.latencyUs.p99)),
    loadgenSaturated: measured.loads.some((load) => load.saturated),
    extraCpuUs,
  };
}
