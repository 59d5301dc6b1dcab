/**
 * One run of the fault suite: one architecture, one fault. A server of its own; the load
 * generator (closed mode, one question in flight per connection) for warm-up + before + after
 * seconds; the fault at `before` seconds into the measured window (or, for the --fault knob,
 * when the server's Nth question comes, N being set from the baseline's rate to fall there);
 * the server's memory sampled and a fresh client sent in every FRESH_EVERY_MS from the fault
 * on. Every server, rogue client and probe is stopped before the run returns.
 */
import { DEFAULT_LOAD_OPTIONS } from '../../loadgen/load-options.js';
import type { LoadOptions, LoadResult } from '../../loadgen/types.js';
import { listProcessTree, sampleTreeRss } from '../../lib/process-tree.js';
import type { LaunchedServer, LaunchOptions } from '../../servers/launch.js';
import type { WindowHooks } from '../../loadgen/spawn-loadgen.js';
import { DISTURBANCE_LIMITS, WindowMeter } from '../run/window-meter.js';
import type { MachineShare } from '../report/results-format.js';
import { analyseMemory, analyseService } from './fault-analysis.js';
import type { FaultRun, FaultSuiteOptions, MachineNeighbours, ServerEvents } from './fault-record.js';
import type { FaultScenario } from './fault-scenarios.js';
import { ATTEMPT_TIMEOUT_MS, FreshClientProbe } from './fresh-client-probe.js';
import { RogueClients } from './rogue-clients.js';

/** How the runner reaches servers and the load generator; tests may give their own. */
export interface FaultRunnerSettings {
  launch: (options: LaunchOptions) => Promise<LaunchedServer>;
  runLoad: (options: LoadOptions, window: WindowHooks) => Promise<LoadResult>;
  /** The load generator's pid (0 when unknown), whose CPU is not the rest of the machine's. */
  loadgenPid: () => number;
}

const HOST = '127.0.0.1';
const MEMORY_SAMPLE_MS = 100;
/** Seconds a knob's run goes on beyond before + after, for a fault that comes late. */
export const KNOB_SLACK_S = 1.5;
const FRESH_EVERY_MS = 400;
/** A slowloris byte every so often: a 25-byte question takes 2.5 s. */
const DRIBBLE_MS = 100;
/** SIGTERM and SIGKILL bound the stop of a server the suite started: the server's own 5 s, and some. */
const STOP_TIMEOUT_MS = 6000;
/** What the server says about its faults, deaths and shutdown: its lines that are not a stack trace. */
const NOTABLE_LINE = /^(zenbench server|cluster|pool|InjectedCrash)\b/;
const NOTABLE_LINES = 20;
const FAULT_LINE = 'zenbench server: --fault ';

function formatAt(ms: number | null): string {
  return ms === null ? '[before the window]' : `[${(ms / 1000).toFixed(2)} s]`;
}

/** The server's answers per second in the baseline, and how many processes shared them. */
export interface Calibration {
  throughput: number;
  /** Processes that each count their own questions: a cluster's workers; 1 for the others. */
  countingProcesses: number;
}

/**
 * N for the --fault knob: the questions one counting process takes from the start of the load
 * to the planned moment, at the baseline's rate.
 */
export function knobEvery(calibration: Calibration, options: Pick<FaultSuiteOptions, 'warmupS' | 'beforeS'>): number {
  const perProcess = calibration.throughput / Math.max(1, calibration.countingProcesses);
  return Math.max(1, Math.round(perProcess * (options.warmupS + options.beforeS)));
}

/** From the baseline run: its rate, and its worker processes (the tree less the primary). */
export function calibrationOf(run: FaultRun): Calibration | null {
  if (run.load === null || run.load.throughput <= 0) return null;
  const processes = Math.max(0, ...run.memorySamples.map((sample) => sample.processes));
  return { throughput: run.load.throughput, countingProcesses: processes > 1 ? processes - 1 : 1 };
}

/** Others' and the hypervisor's share of the machine before and after the fault. */
function machineShares(
  before: WindowMeter,
  after: WindowMeter,
  ownCpuAtFault: NodeJS.CpuUsage | null,
  serverEnded: boolean,
): FaultRun['machine'] {
  const pick = (share: MachineShare): MachineNeighbours => ({
    otherCores: share.otherCores,
    stealCores: share.stealCores,
    disturbed: share.disturbed,
  });
  try {
    // With no fault, the first meter spans the whole window.
    if (ownCpuAtFault === null) before.end();
    const first = pick(before.share());
    if (ownCpuAtFault === null) return { before: first, after: null };
    after.end();
    const share = after.share();
    const own = process.cpuUsage(ownCpuAtFault);
    const ownCores = (own.user + own.system) / 1e6 / Math.max(share.windowS, 1e-6);
    // A server that died took its CPU counters with it: what it used is then not told from others'.
    const otherCores = serverEnded || share.otherCores === null ? null : Math.max(0, share.otherCores - ownCores);
    const disturbed =
      (share.stealCores ?? 0) > DISTURBANCE_LIMITS.stealCores || (otherCores ?? 0) > DISTURBANCE_LIMITS.otherCores;
    return {
      before: first,
      after: {
        otherCores: otherCores === null ? null : Math.round(otherCores * 1000) / 1000,
        stealCores: share.stealCores,
        disturbed,
      },
    };
  } catch {
    return { before: null, after: null };
  }
}

function emptyEvents(): ServerEvents {
  return {
    faultEvents: 0,
    firstFaultAtMs: null,
    workerDeaths: 0,
    workersReplaced: 0,
    exitedAtMs: null,
    exitCode: null,
    exitSignal: null,
    shutdownMs: null,
    serverLines: [],
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runFault(
  architecture: string,
  scenario: FaultScenario,
  options: FaultSuiteOptions,
  calibration: Calibration | null,
  settings: FaultRunnerSettings,
): Promise<FaultRun> {
  const injection = scenario.injection;
  // A knob strikes when its Nth question comes, earlier or later as this run's rate differs from
  // the baseline's: its window has room for a late fault, and every run is read over `after`.
  const windowMs = (options.beforeS + options.afterS + (injection.kind === 'knob' ? KNOB_SLACK_S : 0)) * 1000;
  const run: FaultRun = {
    architecture,
    fault: scenario.name,
    injected: 'nothing',
    failure: null,
    windowMs,
    faultAtMs: null,
    load: null,
    answersLost: null,
    service: null,
    memorySamples: [],
    memory: { beforeBytes: null, peakBytes: null, endBytes: null },
    server: emptyEvents(),
    fresh: [],
    rogues: null,
    machine: { before: null, after: null },
  };

  let knob: string | undefined;
  if (injection.kind === 'knob') {
    if (calibration === null) {
      run.failure = 'no baseline rate to set the knob from (the baseline run failed)';
      return run;
    }
    const every = knobEvery(calibration, options);
    knob = injection.fault === 'crash' ? `crash:${every}` : `stall:${every}:${options.stallMs}`;
    run.injected = `--fault ${knob}`;
  }

  let server: LaunchedServer;
  try {
    server = await settings.launch({
      architecture,
      host: HOST,
      workers: options.workers,
      ...(knob === undefined ? {} : { fault: knob }),
    });
  } catch (error) {
    run.failure = `the server did not start: ${errorText(error)}`;
    return run;
  }

  const events = run.server;
  let windowStart: number | null = null;
  const sinceWindow = (at: number): number | null => (windowStart === null ? null : Math.round(at - windowStart));
  // What the rest of the machine took, before the fault and after it (the suite's own clients
  // left out): on a shared machine a dip may be a neighbour's doing, and the report says so.
  const meterBefore = new WindowMeter(server.pid, settings.loadgenPid());
  const meterAfter = new WindowMeter(server.pid, settings.loadgenPid());
  let ownCpuAtFault: NodeJS.CpuUsage | null = null;
  const faultCame = (): void => {
    if (ownCpuAtFault !== null) return;
    meterBefore.end();
    meterAfter.begin();
    ownCpuAtFault = process.cpuUsage();
  };
  let probe: FreshClientProbe | null = null;
  const startProbe = (at: number): void => {
    const origin = windowStart ?? at;
    // The last attempt ends with the load: after it the blocking server, for one, is free.
    probe ??= new FreshClientProbe(HOST, server.port, FRESH_EVERY_MS, origin, origin + windowMs - ATTEMPT_TIMEOUT_MS);
  };
  const tail: string[] = [];
  let pending = '';
  server.child.stderr?.on('data', (text: string | Buffer) => {
    const at = performance.now();
    const lines = (pending + text.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!NOTABLE_LINE.test(line)) continue;
      if (tail.length < NOTABLE_LINES) tail.push(`${formatAt(sinceWindow(at))} ${line}`);
      if (line.startsWith(FAULT_LINE)) {
        events.faultEvents++;
        if (events.firstFaultAtMs === null) {
          events.firstFaultAtMs = sinceWindow(at);
          if (injection.kind === 'knob' && windowStart !== null) {
            faultCame();
            startProbe(at);
          }
        }
      }
      if (/^cluster: worker \d+ died/.test(line)) {
        events.workerDeaths++;
        if (line.includes('starting another')) events.workersReplaced++;
      }
    }
  });
  let signalledAt: number | null = null;
  let stoppedBySuite = false;
  server.child.once('exit', (code, signal) => {
    if (stoppedBySuite) return;
    const at = performance.now();
    events.exitedAtMs = sinceWindow(at);
    events.exitCode = code;
    events.exitSignal = signal;
    if (signalledAt !== null && injection.kind === 'signal' && injection.target === 'server') {
      events.shutdownMs = Math.round(at - signalledAt);
    }
  });

  const timers: NodeJS.Timeout[] = [];
  let rogues: RogueClients | null = null;
  const sampleMemory = (): void => {
    if (windowStart === null) return;
    const { rssBytes, processCount } = sampleTreeRss(server.pid);
    run.memorySamples.push({ atMs: Math.round(performance.now() - windowStart), rssBytes, processes: processCount });
  };

  const inject = (): void => {
    const at = performance.now();
    // A knob strikes when its Nth question comes; the probe and the meter start with it (above).
    if (injection.kind !== 'knob') {
      faultCame();
      startProbe(at);
    }
    switch (injection.kind) {
      case 'none':
      case 'knob':
        return;
      case 'signal': {
        const workers = listProcessTree(server.pid).slice(1);
        const victim = injection.target === 'worker' ? workers[0] : undefined;
        signalledAt = at;
        run.faultAtMs = sinceWindow(at);
        try {
          process.kill(victim ?? server.pid, injection.signal);
          run.injected =
            victim === undefined
              ? `${injection.signal} to the server process${injection.target === 'worker' ? ' (it has no worker processes)' : ''}`
              : `${injection.signal} to worker process ${victim}`;
        } catch (error) {
          run.injected = `${injection.signal} failed: ${errorText(error)}`;
        }
        return;
      }
      case 'clients': {
        const clients = {
          flood: options.floodClients,
          idle: options.idleConnections,
          slowloris: options.slowlorisClients,
        }[injection.clients];
        run.faultAtMs = sinceWindow(at);
        rogues = new RogueClients({
          host: HOST,
          port: server.port,
          kind: injection.clients,
          clients,
          floodQuestions: options.floodQuestions,
          dribbleMs: DRIBBLE_MS,
        });
        run.injected =
          injection.clients === 'flood'
            ? `${clients} clients each writing ${options.floodQuestions} questions at once, never reading`
            : injection.clients === 'idle'
              ? `${clients} connections that send nothing`
              : `${clients} clients each sending one byte every ${DRIBBLE_MS} ms`;
        return;
      }
    }
  };

  const load: LoadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    host: HOST,
    port: server.port,
    mode: 'closed',
    connections: options.connections,
    pipeline: 1,
    warmupS: options.warmupS,
    durationS: windowMs / 1000,
  };
  try {
    const result = await settings.runLoad(load, {
      onWindowStart: () => {
        windowStart = performance.now();
        meterBefore.begin();
        sampleMemory();
        timers.push(setInterval(sampleMemory, MEMORY_SAMPLE_MS));
        timers.push(setTimeout(inject, options.beforeS * 1000));
      },
    });
    run.load = {
      answers: result.requests,
      throughput: result.throughput,
      errors: result.errors,
      errorTotal: result.errorTotal,
      latencyUs: result.latencyUs,
      timeline: result.timeline ?? {
        bucketMs: 1000,
        answers: result.perSecond.answers,
        errors: result.perSecond.errors,
        maxLatencyUs: [],
      },
    };
    // One question in flight per connection: a connection that broke lost exactly one.
    run.answersLost = result.errors.resets;
  } catch (error) {
    run.failure = `the load generator failed: ${errorText(error)}`;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    sampleMemory();
  }
  run.machine = machineShares(meterBefore, meterAfter, ownCpuAtFault, events.exitedAtMs !== null);

  // TypeScript cannot see the assignments inside the callbacks above.
  const started = rogues as RogueClients | null;
  const probing = probe as FreshClientProbe | null;
  if (started !== null) run.rogues = await started.stop();
  if (probing !== null) run.fresh = await probing.stop();
  stoppedBySuite = events.exitedAtMs === null;
  const exit = await server.stop(STOP_TIMEOUT_MS);
  if (events.exitedAtMs === null && exit.code !== 0 && run.failure === null && injection.kind !== 'signal') {
    run.failure = `the server did not stop cleanly (${exit.signal ?? `exit ${exit.code}`})`;
  }
  events.serverLines = tail;
  if (injection.kind === 'knob') run.faultAtMs = events.firstFaultAtMs;
  if (run.load !== null) {
    run.service = analyseService(run.load.timeline, windowMs, run.faultAtMs, options.afterS * 1000);
  }
  run.memory = analyseMemory(run.memorySamples, run.faultAtMs);
  return run;
}
