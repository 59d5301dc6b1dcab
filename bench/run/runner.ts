/**
 * Measures points: for each, a fresh server process, a warm-up, a measured window with the
 * server's process tree sampled around it, a graceful stop. A point that fails is recorded
 * with the server's stderr and the run goes on. The launcher and the load runner are passed
 * in, so that tests can substitute misbehaving servers.
 */
import { DEFAULT_LOAD_OPTIONS } from '../../loadgen/load-options.js';
import type { LoadOptions, LoadResult } from '../../loadgen/types.js';
import type { LaunchedServer, LaunchOptions, ServerExit } from '../../servers/launch.js';
import type { BenchPoint } from '../shared/plan.js';
import { measureTreeCpu, PeakRssSampler } from '../../lib/process-tree.js';
import type {
  FailureStage,
  PointFailure,
  PointResult,
  RepetitionResult,
  ServerMeasurement,
} from '../report/results-format.js';
import { summarizeRepetitions } from '../report/point-summary.js';

/** What the runner asks of a server launcher: a part of servers/launch.ts, so tests can fake it. */
export type ServerLaunchOptions = Pick<
  LaunchOptions,
  'architecture' | 'host' | 'port' | 'workers' | 'cpuUs' | 'ioMs' | 'commandPrefix' | 'startTimeoutMs'
>;
export type RunningServer = Pick<LaunchedServer, 'pid' | 'host' | 'port' | 'child' | 'stderrTail' | 'stop'>;
export type { ServerExit };

export type ServerLauncher = (options: ServerLaunchOptions) => Promise<RunningServer>;

/** Runs the load generator outside the server's process; commandPrefix places it (taskset). */
export type LoadRunner = (options: LoadOptions, commandPrefix: readonly string[]) => Promise<LoadResult>;

export interface RunnerSettings {
  launch: ServerLauncher;
  runLoad: LoadRunner;
  serverCommandPrefix: string[];
  loadgenCommandPrefix: string[];
  /** Workers for pool and cluster; undefined leaves each server its default. */
  workers?: number;
  /** How long a server may take to print its listening line. */
  startTimeoutMs: number;
  /** How long a server may take to exit after SIGTERM before it is killed (and the point failed). */
  stopTimeoutMs: number;
  /** A question unanswered this long counts as a timeout. */
  questionTimeoutMs: number;
  loadgenThreads: number;
  rssSampleIntervalMs: number;
}

export const DEFAULT_RUNNER_TIMINGS = {
  startTimeoutMs: 10_000,
  stopTimeoutMs: 6_000,
  questionTimeoutMs: 5_000,
  loadgenThreads: 1,
  rssSampleIntervalMs: 150,
} as const;

class PointFailed extends Error {
  constructor(
    readonly stage: FailureStage,
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
  }
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

function loadOptionsFor(
  point: BenchPoint,
  server: RunningServer,
  settings: RunnerSettings,
  durationS: number,
): LoadOptions {
  return {
    ...DEFAULT_LOAD_OPTIONS,
    host: server.host,
    port: server.port,
    mode: point.pattern.mode,
    connections: point.connections,
    pipeline: point.pattern.pipeline,
    questions: point.pattern.questions,
    warmupS: 0,
    durationS,
    timeoutMs: settings.questionTimeoutMs,
    threads: settings.loadgenThreads,
  };
}

/**
 * One repetition of one point. Never rejects: every failure becomes a failed repetition.
 *
 * The warm-up is a load run of its own, so that the server's CPU counters can be read exactly
 * between warm-up and measurement. Its cost: connections are made afresh for the measured
 * window, and a blocking server first drains the warm-up's abandoned connections (each of
 * their unanswered questions gets its work done) before it serves the measured ones.
 */
export async function runRepetition(
  point: BenchPoint,
  repetition: number,
  settings: RunnerSettings,
): Promise<RepetitionResult> {
  const startedAt = performance.now();
  const wallS = (): number => (performance.now() - startedAt) / 1000;
  const phasesS = { start: 0, warmup: 0, measure: 0, stop: 0 };
  let phaseStartedAt = startedAt;
  /** Ends the current phase, charging its time to `phase`. */
  const endPhase = (phase: keyof typeof phasesS): void => {
    const now = performance.now();
    phasesS[phase] = (now - phaseStartedAt) / 1000;
    phaseStartedAt = now;
  };
  let server: RunningServer;
  try {
    const launchOptions: ServerLaunchOptions = {
      architecture: point.architecture,
      host: '127.0.0.1',
      port: 0,
      cpuUs: point.workload.cpuUs,
      ioMs: point.workload.ioMs,
      commandPrefix: settings.serverCommandPrefix,
      startTimeoutMs: settings.startTimeoutMs,
    };
    if (settings.workers !== undefined) launchOptions.workers = settings.workers;
    server = await settings.launch(launchOptions);
    endPhase('start');
  } catch (error) {
    endPhase('start');
    return {
      repetition,
      status: 'failed',
      failure: { stage: 'start', message: messageOf(error), stderrTail: stderrTailOf(error) },
      load: null,
      server: null,
      wallS: wallS(),
      phasesS,
    };
  }

  let stopping = false;
  let crash: ServerExit | null = null;
  server.child.once('exit', (code, signal) => {
    if (!stopping) crash = { code, signal, graceful: false };
  });
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    crash = { code: server.child.exitCode, signal: server.child.signalCode, graceful: false };
  }
  // On Ctrl-C lib/child-process.ts stops the server; a later stop() shares that outcome.
  const stop = (): Promise<ServerExit> => {
    stopping = true;
    return server.stop(settings.stopTimeoutMs);
  };
  const sampler = new PeakRssSampler(server.pid, settings.rssSampleIntervalMs);
  sampler.start();

  let load: LoadResult | null = null;
  let measurement: Omit<ServerMeasurement, 'exit'> | null = null;
  let failure: PointFailure | null = null;
  const crashFailure = (): PointFailed | null => {
    if (crash === null) return null;
    const exit: ServerExit = crash;
    return new PointFailed(
      'crash',
      `server exited during the load (code ${String(exit.code)}, signal ${String(exit.signal)})`,
      server.stderrTail(),
    );
  };
  try {
    if (point.warmupS > 0) {
      await settings.runLoad(loadOptionsFor(point, server, settings, point.warmupS), settings.loadgenCommandPrefix);
      const crashed = crashFailure();
      if (crashed !== null) throw crashed;
    }
    endPhase('warmup');
    const measured = await measureTreeCpu(server.pid, () =>
      settings.runLoad(loadOptionsFor(point, server, settings, point.durationS), settings.loadgenCommandPrefix),
    );
    endPhase('measure');
    load = measured.result;
    const peak = sampler.stop();
    const cpuSeconds = measured.cpuSeconds;
    measurement = {
      cpuSeconds,
      cpuUsPerAnswer: load.requests > 0 ? (cpuSeconds * 1e6) / load.requests : null,
      peakRssBytes: peak.peakRssBytes,
      processCount: peak.maxProcessCount,
    };
    const crashed = crashFailure();
    if (crashed !== null) throw crashed;
  } catch (error) {
    failure =
      error instanceof PointFailed
        ? { stage: error.stage, message: error.message, stderrTail: error.stderrTail }
        : { stage: 'load', message: messageOf(error), stderrTail: server.stderrTail() };
  } finally {
    sampler.stop();
    if (phasesS.measure === 0) endPhase(phasesS.warmup === 0 ? 'warmup' : 'measure');
  }

  let exit: ServerExit | null = null;
  try {
    exit = await stop();
  } catch (error) {
    failure ??= {
      stage: 'stop',
      message: `stopping the server failed: ${messageOf(error)}`,
      stderrTail: server.stderrTail(),
    };
  } finally {
    endPhase('stop');
  }
  if (failure === null && exit !== null && (!exit.graceful || exit.code !== 0)) {
    failure = {
      stage: 'stop',
      message: `server ${describeUncleanExit(exit, settings.stopTimeoutMs)}`,
      stderrTail: server.stderrTail(),
    };
  }
  return {
    repetition,
    status: failure === null ? 'ok' : 'failed',
    failure,
    load,
    server: measurement === null ? null : { ...measurement, exit },
    wallS: wallS(),
    phasesS,
  };
}

export interface RunProgress {
  /** 0-based index of the repetition about to run, over all points and repetitions. */
  index: number;
  total: number;
  point: BenchPoint;
  repetition: number;
}

export interface SuiteHooks {
  onStart?(progress: RunProgress): void;
  onDone?(progress: RunProgress, result: RepetitionResult): void;
}

/**
 * Every point, `repeat` times. The repetitions are the outer loop, so that each repetition of
 * a point is taken at a different moment: noise that drifts with time shows up as spread
 * between repetitions instead of hiding inside one of them.
 * Stops early, between repetitions, once `signal` is aborted.
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
  for (let repetition = 1; repetition <= repeat; repetition++) {
    for (const point of points) {
      if (signal?.aborted) break;
      const progress: RunProgress = { index, total, point, repetition };
      hooks.onStart?.(progress);
      const result = await runRepetition(point, repetition, settings);
      repetitions.get(point.id)?.push(result);
      hooks.onDone?.(progress, result);
      index++;
    }
  }
  return points.map((point) => {
    const results = repetitions.get(point.id) ?? [];
    return {
      id: point.id,
      architecture: point.architecture,
      workload: { ...point.workload },
      pattern: { ...point.pattern },
      connections: point.connections,
      warmupS: point.warmupS,
      durationS: point.durationS,
      repetitions: results,
      summary: summarizeRepetitions(results),
    };
  });
}
