/**
 * The fault suite's JSON record (results/faults/<UTC timestamp>.json and latest.json): what was
 * run, on what, and every run's measurements, from which the reports are made again.
 */
import type { ErrorCounts, LatencySummary, Timeline } from '../../loadgen/types.js';
import type { BenchEnvironment } from '../report/results-format.js';
import type { MemoryFigures, MemorySample, ServiceFigures } from './fault-analysis.js';
import type { ProbeAttempt } from './fresh-client-probe.js';
import type { RogueReport } from './rogue-clients.js';

export const FAULTS_FORMAT_VERSION = 1;

export interface FaultSuiteOptions {
  architectures: string[];
  faults: string[];
  connections: number;
  warmupS: number;
  beforeS: number;
  afterS: number;
  workers: number;
  stallMs: number;
  floodClients: number;
  floodQuestions: number;
  idleConnections: number;
  slowlorisClients: number;
  argv: string[];
}

export interface ServerEvents {
  /** The --fault lines the server wrote: how often the knob struck. */
  faultEvents: number;
  /** The first of them, ms into the window (null before the window or none). */
  firstFaultAtMs: number | null;
  /** Cluster: workers that died, and replacements forked ("died ... starting another"). */
  workerDeaths: number;
  workersReplaced: number;
  /** The server exited before the suite stopped it: when (ms into the window), how. */
  exitedAtMs: number | null;
  exitCode: number | null;
  exitSignal: string | null;
  /** SIGTERM scenario: from the signal to the exit, ms. */
  shutdownMs: number | null;
  /** The first lines the server wrote about its faults, workers and shutdown, each with its time in the window. */
  serverLines: string[];
}

/** What the rest of the machine took in a span (bench/run/window-meter.ts), in cores. */
export interface MachineNeighbours {
  /** Processes other than the server and the load generator (after the fault: and the suite's own). */
  otherCores: number | null;
  stealCores: number | null;
  /** Above the bench's limits (window-meter.ts): the span's figures may be the neighbours'. */
  disturbed: boolean;
}

export interface FaultRun {
  architecture: string;
  fault: string;
  /** What the suite did, in words: "--fault crash:41200", "SIGKILL to worker 4242", "1000 idle connections". */
  injected: string;
  /** Why the run could not be made (a server that did not start, a load generator that failed). */
  failure: string | null;
  windowMs: number;
  /** The fault's moment, ms into the window: the server's fault line, or when the suite acted. Null: none came. */
  faultAtMs: number | null;
  load: {
    answers: number;
    throughput: number;
    errors: ErrorCounts;
    errorTotal: number;
    latencyUs: LatencySummary;
    timeline: Timeline;
  } | null;
  /** Questions sent that never got an answer (see docs/faults.md: one in flight per connection). */
  answersLost: number | null;
  service: ServiceFigures | null;
  memorySamples: MemorySample[];
  memory: MemoryFigures;
  server: ServerEvents;
  fresh: ProbeAttempt[];
  rogues: RogueReport | null;
  /** Before the fault (the whole window when none came), and after it; null when not known. */
  machine: { before: MachineNeighbours | null; after: MachineNeighbours | null };
}

export interface FaultSuiteResults {
  formatVersion: typeof FAULTS_FORMAT_VERSION;
  tool: 'zenbench bench:faults';
  startedAt: string;
  finishedAt: string;
  /** Wall time of the whole suite, seconds. */
  elapsedS: number;
  environment: BenchEnvironment;
  options: FaultSuiteOptions;
  runs: FaultRun[];
}
