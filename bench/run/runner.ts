/**
 * Measures a suite in rounds. Each round measures every point once; the points that are
 * compared with each other (the architectures at one workload, pattern and concurrency) are
 * measured one after the other, in an order that rotates from round to round, so that a slow
 * episode of the machine touches all of them instead of all of one, and each point's
 * repetitions are spread over the whole run instead of over a few seconds of it.
 *
 * Within a round, each architecture gets a fresh server per workload (the servers' options are
 * the workload's), which serves that workload's points of the round, each a short run of the
 * load generator: a warm-up, then the measured window, with the server's CPU, memory and the
 * rest of the machine read around exactly that window. A point that fails is recorded with the
 * server's stderr and the run goes on; a server that crashed is started afresh for its next
 * point. The launcher and the load runner are passed in, so that tests can substitute
 * misbehaving servers.
 */
import { DEFAULT_LOAD_OPTIONS } from '../../loadgen/load-options.js';
import type { WindowHooks } from '../../loadgen/spawn-loadgen.js';
import type { LoadRequest } from '../../loadgen/instruments.js';
import type { IntervalHistograms, LoadResult } from '../../loadgen/types.js';
import type { LaunchedServer, LaunchOptions, ServerExit } from '../../servers/launch.js';
import { PeakRssSampler } from '../../lib/process-tree.js';
import { hostRuntime, type NodeRuntime } from '../../lib/node-runtimes.js';
import { summarizeRepetitions } from '../report/point-summary.js';
import type {
  FailureStage,
  PointFailure,
  PointResult,
  RepetitionResult,
  RoundRecord,
  WorkloadRecord,
} from '../report/results-format.js';
import { measureReference } from '../shared/cpu-reference.js';
import { sweepKeyOf, variantOf, type BenchPoint } from '../shared/plan.js';
import { failedClearly } from '../report/open-capacity.js';
import { arrivalsOf, type Workload } from '../shared/scenarios.js';
import { serviceTimeMean, serviceTimeText } from '../../servers/shared/service-time.js';
import { WindowMeter } from './window-meter.js';

/** What the runner asks of a server launcher: a part of servers/launch.ts, so tests can fake it. */
export type ServerLaunchOptions = Pick<
  LaunchOptions,
  | 'architecture'
  | 'protocol'
  | 'host'
  | 'port'
  | 'workers'
  | 'cpuUs'
  | 'ioMs'
  | 'commandPrefix'
  | 'startTimeoutMs'
  | 'execPath'
>;
export type RunningServer = Pick<LaunchedServer, 'pid' | 'host' | 'port' | 'child' | 'stderrTail' | 'stop'>;
export type { ServerExit };

export type ServerLauncher = (options: ServerLaunchOptions) => Promise<RunningServer>;

/** Runs the load generator outside the server's process, saying when its measured window opens and closes. */
export type LoadRunner = (request: LoadRequest, window: WindowHooks) => Promise<LoadResult>;

export interface RunnerSettings {
  launch: ServerLauncher;
  runLoad: LoadRunner;
  serverCommandPrefix: string[];
  /**
   * The Nodes the points' servers run under, by label (BenchPoint.runtime); a point whose label
   * is not here runs under the host's Node.
   */
  runtimes?: ReadonlyMap<string, NodeRuntime>;
  /** Workers for pool and cluster; undefined leaves each server its default. */
  workers?: number;
  /** The load generator's process, for its share of the machine; 0 when unknown. */
  loadgenPid: () => number;
  /** How long a server may take to print its listening line. */
  startTimeoutMs: number;
  /** How long a server may take to exit after SIGTERM before it is killed (and its points failed). */
  stopTimeoutMs: number;
  /** A question unanswered this long counts as a timeout. */
  questionTimeoutMs: number;
  loadgenThreads: number;
  rssSampleIntervalMs: number;
  /**
   * Receives each measurement's latency per interval (our instrument only; autocannon keeps
   * none), to write as an interval log; without it none are kept.
   */
  saveIntervals?: (point: BenchPoint, repetition: number, intervals: IntervalHistograms) => void;
}

export const DEFAULT_RUNNER_TIMINGS = {
  startTimeoutMs: 10_000,
  stopTimeoutMs: 6_000,
  questionTimeoutMs: 5_000,
  loadgenThreads: 1,
  rssSampleIntervalMs: 100,
} as const;

export interface RunProgress {
  /** 0-based index of the measurement about to run, over all points and rounds. */
  index: number;
  total: number;
  point: BenchPoint;
  repetition: number;
}

export interface SuiteHooks {
  onStart?(progress: RunProgress): void;
  onDone?(progress: RunProgress, result: RepetitionResult): void;
  /** At the start of each round, with the machine's speed then (bench/shared/cpu-reference.ts). */
  onRound?(round: RoundRecord): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** launchServer's rejection ends its message with `stderr: <the tail>`. */
function stderrTailOf(error: unknown): string {
  const match = /stderr: ([\s\S]*)$/.exec(messageOf(error));
  return match?.[1]?.trim() ?? '';
}

/** The launcher SIGKILLs a server that outlives the stop timeout; any other unclean exit is its own. */
function describeUncleanExit(exit: ServerExit, stopTimeoutMs: number): string {
  if (exit.signal === 'SIGKILL') return `did not exit within ${stopTimeoutMs} ms of SIGTERM and was killed`;
  if (exit.signal !== null) return `was ended by ${exit.signal} instead of shutting down gracefully`;
  return `exited with code ${String(exit.code)} after SIGTERM instead of 0`;
}

function failure(stage: FailureStage, message: string, stderrTail: string): PointFailure {
  return { stage, message, stderrTail };
}

/**
 * The order of one round: protocol by protocol and workload by workload (a server per
 * architecture, protocol and workload), and
 * within each group of points that are compared with each other, the architectures rotated
 * by the round's number so that none is always measured first.
 */
export function roundOrder(points: readonly BenchPoint[], round: number): BenchPoint[][] {
  const blocks = new Map<string, Map<string, BenchPoint[]>>();
  for (const point of points) {
    const block = `${point.protocol}/${point.workload.name}`;
    const groups = blocks.get(block) ?? new Map<string, BenchPoint[]>();
    blocks.set(block, groups);
    const step = point.open === undefined ? '' : `/r${point.open.rate}`;
    const key = `${point.pattern.name}/c${point.connections}${step}${variantOf(point.protocol, point.instrument)}`;
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  return [...blocks.values()].map((groups) =>
    [...groups.values()].flatMap((group) => {
      const shift = (round - 1) % group.length;
      return [...group.slice(shift), ...group.slice(0, shift)];
    }),
  );
}

/** One architecture's server for the points of one workload in one round. */
class BlockServer {
  server: RunningServer | null = null;
  private crash: ServerExit | null = null;
  private stopping = false;
  /** The points this server measured in the block, to fail them too should it not stop cleanly. */
  readonly measured: RepetitionResult[] = [];

  constructor(
    private readonly point: BenchPoint,
    private readonly settings: RunnerSettings,
  ) {}

  /** The running server, started (again) if need be, or why it could not start. */
  async ensure(): Promise<RunningServer | PointFailure> {
    if (this.server !== null && this.crash === null) return this.server;
    this.server = null;
    this.crash = null;
    const options: ServerLaunchOptions = {
      architecture: this.point.architecture,
      protocol: this.point.protocol,
      host: '127.0.0.1',
      port: 0,
      cpuUs: this.point.workload.cpuUs,
      ioMs: this.point.workload.ioMs,
      commandPrefix: this.settings.serverCommandPrefix,
      startTimeoutMs: this.settings.startTimeoutMs,
    };
    const runtime = this.settings.runtimes?.get(this.point.runtime);
    if (runtime !== undefined) options.execPath = runtime.execPath;
    if (this.settings.workers !== undefined) options.workers = this.settings.workers;
    let server: RunningServer;
    try {
      server = await this.settings.launch(options);
    } catch (error) {
      return failure('start', messageOf(error), stderrTailOf(error));
    }
    server.child.once('exit', (code, signal) => {
      if (!this.stopping) this.crash = { code, signal, graceful: false };
    });
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      this.crash = { code: server.child.exitCode, signal: server.child.signalCode, graceful: false };
    }
    this.server = server;
    return server;
  }

  /** The crash since the server started, as a failure of the point that saw it. */
  crashFailure(): PointFailure | null {
    if (this.crash === null || this.server === null) return null;
    const { code, signal } = this.crash;
    return failure(
      'crash',
      `server exited during the load (code ${String(code)}, signal ${String(signal)})`,
      this.server.stderrTail(),
    );
  }

  /** Stops the server; an unclean exit fails every point it measured in this block. */
  async stop(): Promise<ServerExit | null> {
    const server = this.server;
    if (server === null || this.crash !== null) return null;
    this.stopping = true;
    let exit: ServerExit;
    try {
      exit = await server.stop(this.settings.stopTimeoutMs);
    } catch (error) {
      this.failMeasured(failure('stop', `stopping the server failed: ${messageOf(error)}`, server.stderrTail()));
      return null;
    }
    if (!exit.graceful || exit.code !== 0) {
      const message = `server ${describeUncleanExit(exit, this.settings.stopTimeoutMs)}`;
      this.failMeasured(failure('stop', message, server.stderrTail()));
    }
    for (const repetition of this.measured) if (repetition.server !== null) repetition.server.exit = exit;
    return exit;
  }

  private failMeasured(stopFailure: PointFailure): void {
    for (const repetition of this.measured) {
      if (repetition.failure !== null) continue;
      repetition.failure = stopFailure;
      repetition.status = 'failed';
    }
  }
}

function loadOptionsFor(
  point: BenchPoint,
  round: number,
  server: RunningServer,
  settings: RunnerSettings,
): LoadRequest {
  // The seed is the round's number: a round can be repeated question for question.
  const open =
    point.open === undefined ? {} : { rate: point.open.rate, arrivals: arrivalsOf(point.pattern), seed: round };
  return {
    ...DEFAULT_LOAD_OPTIONS,
    instrument: point.instrument,
    protocol: point.protocol,
    host: server.host,
    port: server.port,
    mode: point.pattern.mode,
    connections: point.connections,
    pipeline: point.pattern.pipeline,
    questions: point.pattern.questions,
    // The warm-up is the same run, on the same connections, so that a connection the server
    // never answers has waited through all of it (the load generator then counts it starved).
    warmupS: point.warmupS,
    durationS: point.durationS,
    timeoutMs: settings.questionTimeoutMs,
    threads: settings.loadgenThreads,
    ...open,
    keepIntervals: settings.saveIntervals !== undefined && point.instrument === 'zenbench',
  };
}

/** One measurement of one point on its block's server. Never rejects: a failure is recorded. */
async function measurePoint(
  point: BenchPoint,
  repetition: number,
  block: BlockServer,
  settings: RunnerSettings,
): Promise<RepetitionResult> {
  const startedAt = performance.now();
  const phasesS = { start: 0, warmup: 0, measure: 0, stop: 0 };
  const result: RepetitionResult = {
    repetition,
    status: 'ok',
    failure: null,
    load: null,
    server: null,
    machine: null,
    wallS: 0,
    phasesS,
  };
  const server = await block.ensure();
  phasesS.start = (performance.now() - startedAt) / 1000;
  if ('stage' in server) result.failure = server;
  else {
    const loadStartedAt = performance.now();
    const meter = new WindowMeter(server.pid, settings.loadgenPid());
    const sampler = new PeakRssSampler(server.pid, settings.rssSampleIntervalMs);
    let windowOpenedAt = loadStartedAt;
    const opened = (): void => {
      windowOpenedAt = performance.now();
      meter.begin();
      sampler.start();
    };
    opened(); // in case the runner says nothing about its window
    try {
      const { intervals, ...load } = await settings.runLoad(loadOptionsFor(point, repetition, server, settings), {
        onWindowStart: opened,
        onWindowEnd: () => meter.end(),
      });
      meter.end();
      // The intervals go to a log file of their own; the results file keeps the summary.
      if (intervals !== undefined) settings.saveIntervals?.(point, repetition, intervals);
      const peak = sampler.stop();
      const share = meter.share();
      result.load = load;
      result.machine = share;
      result.server = {
        cpuSeconds: share.serverCpuSeconds,
        cpuUsPerAnswer: load.requests > 0 ? (share.serverCpuSeconds * 1e6) / load.requests : null,
        peakRssBytes: peak.peakRssBytes,
        processCount: peak.maxProcessCount,
        exit: null,
      };
      result.failure = block.crashFailure();
    } catch (error) {
      sampler.stop();
      result.failure = block.crashFailure() ?? failure('load', messageOf(error), server.stderrTail());
    }
    phasesS.warmup = (windowOpenedAt - loadStartedAt) / 1000;
    phasesS.measure = (performance.now() - windowOpenedAt) / 1000;
  }
  if (result.failure !== null) result.status = 'failed';
  else block.measured.push(result);
  result.wallS = (performance.now() - startedAt) / 1000;
  return result;
}

/**
 * Every point, `repeat` times, in rounds (see the top of this file). Stops early, between
 * measurements, once `signal` is aborted.
 */
export async function runSuite(
  points: readonly BenchPoint[],
  repeat: number,
  settings: RunnerSettings,
  hooks: SuiteHooks = {},
  signal?: AbortSignal,
): Promise<PointResult[]> {
  const repetitions = new Map<string, RepetitionResult[]>(points.map((point) => [point.id, []]));
  const total = points.length * repeat;
  let index = 0;
  for (let round = 1; round <= repeat && signal?.aborted !== true; round++) {
    // The sweeps that failed clearly in this round: their higher rates are not measured.
    const stopped = new Set<string>();
    // Taken while no server runs: how fast the machine does fixed work, so that a run (or a
    // round) on a slower footing shows as such (bench:compare compares it between runs).
    hooks.onRound?.({ round, startedAt: new Date().toISOString(), referenceCpuUsPerUnit: measureReference() });
    for (const block of roundOrder(points, round)) {
      const servers = new Map<string, BlockServer>();
      for (const point of block) {
        if (signal?.aborted) break;
        const sweep = sweepKeyOf(point);
        if (stopped.has(sweep)) {
          index++;
          continue;
        }
        const key = `${point.architecture}@${point.runtime}`;
        const server = servers.get(key) ?? new BlockServer(point, settings);
        servers.set(key, server);
        const progress: RunProgress = { index, total, point, repetition: round };
        hooks.onStart?.(progress);
        const result = await measurePoint(point, round, server, settings);
        repetitions.get(point.id)?.push(result);
        if (point.open !== undefined && failedClearly(result, point.open.objectiveP99Ms)) stopped.add(sweep);
        hooks.onDone?.(progress, result);
        index++;
      }
      const stoppedAt = performance.now();
      await Promise.all([...servers.values()].map((server) => server.stop()));
      // Stopping is the block's cost; it is charged to the last point each server measured.
      const stopS = (performance.now() - stoppedAt) / 1000;
      for (const server of servers.values()) {
        const last = server.measured.at(-1);
        if (last !== undefined) last.phasesS.stop = stopS;
      }
    }
  }
  return points.map((point) => {
    const results = (repetitions.get(point.id) ?? []).sort((a, b) => a.repetition - b.repetition);
    return {
      id: point.id,
      architecture: point.architecture,
      runtime: point.runtime,
      node: (settings.runtimes?.get(point.runtime) ?? hostRuntime()).version,
      protocol: point.protocol,
      instrument: point.instrument,
      workload: workloadRecord(point.workload),
      pattern: { ...point.pattern },
      connections: point.connections,
      warmupS: point.warmupS,
      durationS: point.durationS,
      repetitions: results,
      summary: summarizeRepetitions(results),
      ...(point.open === undefined ? {} : { open: { ...point.open, arrivals: arrivalsOf(point.pattern) } }),
    };
  });
}

/** A workload as the results file records it: means as numbers, for every reader, and the specs. */
function workloadRecord(workload: Workload): WorkloadRecord {
  return {
    name: workload.name,
    label: workload.label,
    cpuUs: serviceTimeMean(workload.cpuUs),
    ioMs: serviceTimeMean(workload.ioMs),
    cpuUsSpec: serviceTimeText(workload.cpuUs),
    ioMsSpec: serviceTimeText(workload.ioMs),
  };
}
