/**
 * What the bench measures, declared as data: workloads (the per-question work a server does),
 * traffic patterns (how the load generator talks to it) and suites (which combinations, at
 * which concurrency levels, for how long). Adding a workload, a pattern or a suite is one
 * entry here; adding an architecture is one entry in servers/registry.ts.
 */
import type { Arrivals } from '../../loadgen/arrivals.js';
import type { Instrument } from '../../loadgen/instruments.js';
import type { LoadMode } from '../../loadgen/types.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { SERVER_OPTIONS } from '../../servers/server-options.js';
import type { ServiceTime } from '../../servers/shared/service-time.js';

/**
 * An open-loop sweep of one workload: offered rates, log-spaced about x1.4 apart from well
 * below the architectures' knees to past the best one's, and the latency objective that
 * capacity is judged against (docs/bench.md, "Open-loop sweeps").
 */
export interface OpenSweep {
  /** Questions per second offered, ascending. */
  readonly rates: readonly number[];
  /** The objective: p99 within this many ms (--slo-p99-ms overrides). */
  readonly objectiveP99Ms: number;
  /** Persistent connections the questions are spread over, one question in flight each. */
  readonly connections: number;
}

export interface Workload {
  readonly name: string;
  /** Shown in reports: what the server does for each question. */
  readonly label: string;
  /** What --cpu-us and --io-ms are given: a fixed cost or a distribution (servers/shared/service-time.ts). */
  readonly cpuUs: ServiceTime;
  readonly ioMs: ServiceTime;
  /** The open-loop sweep, for the workloads a suite sweeps. */
  readonly sweep?: OpenSweep;
}

/** A workload's --cpu-us in the server's own syntax, read by the server's own parser. */
const cpuUs = (text: string): ServiceTime => SERVER_OPTIONS.cpuUs.parse(text, "a workload's --cpu-us");

export interface TrafficPattern {
  readonly name: string;
  readonly label: string;
  readonly mode: LoadMode;
  /** Questions in flight per connection (closed mode). */
  readonly pipeline: number;
  /** Questions per conversation (conversation mode). */
  readonly questions: number;
  /** Open mode: how the questions arrive (uniform when not said). */
  readonly arrivals?: Arrivals;
}

export function arrivalsOf(pattern: { readonly arrivals?: Arrivals }): Arrivals {
  return pattern.arrivals ?? 'uniform';
}

/**
 * What a suite measures over HTTP besides its TCP points, each point with autocannon, and at
 * the `crossCheck` levels with our own generator as well, on the same server in the same round.
 */
export interface HttpCoverage {
  readonly workloads: readonly string[];
  /** Persistent-connection patterns only: autocannon drives no conversations. */
  readonly patterns: readonly string[];
  readonly connections: readonly number[];
  readonly crossCheck: readonly number[];
}

/** Who measures a protocol's points: ours over TCP, autocannon over HTTP (ours cross-checks it). */
export const PRIMARY_INSTRUMENT: Readonly<Record<ProtocolName, Instrument>> = { tcp: 'zenbench', http: 'autocannon' };

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** The architectures it runs unless --servers says otherwise; null for every one in the registry. */
  readonly architectures: readonly string[] | null;
  /** The TCP points: every workload x pattern x concurrency level. */
  readonly workloads: readonly string[];
  readonly patterns: readonly string[];
  readonly connections: readonly number[];
  readonly http: HttpCoverage | null;
  /** The open-loop sweeps: these workloads' sweeps over these protocols (the pattern `open`). */
  readonly open: { readonly workloads: readonly string[]; readonly protocols: readonly ProtocolName[] } | null;
  /** Seconds of load before the measured window, on the same connections; not counted. */
  readonly warmupS: number;
  /** Seconds measured per point and repetition. */
  readonly durationS: number;
  /** Rounds: each measures every point once (bench/run/runner.ts). */
  readonly repeat: number;
}

/**
 * 1 ms of CPU caps one core at about 1,000 answers/s, far below what the load generator can
 * drive, so the server's cores are the limit; and it dwarfs every architecture's own cost per
 * question (the pool's hand-off to a worker thread alone costs 100-200 µs of CPU here), so the
 * work is measured, not the overhead. 5 ms of I/O caps a server that waits in line at 200
 * answers/s, so concurrency is the limit.
 */
// The sweeps' objectives: a few times the unloaded latency of a question (about 0.1 ms with no
// work, 1 ms of CPU, 5 ms of I/O, 0.15 ms on average with the tail but 5 ms for a dear one),
// so that queueing, not the work itself, decides. The io sweep's 128 connections let 16,000
// questions/s of 5 ms each be in flight at once (80 needed).
export const WORKLOADS: readonly Workload[] = [
  {
    name: 'none',
    label: 'no work',
    cpuUs: 0,
    ioMs: 0,
    sweep: {
      rates: [2500, 3500, 5000, 7000, 10_000, 14_000, 20_000, 28_000, 40_000, 56_000, 80_000, 112_000],
      objectiveP99Ms: 5,
      connections: 16,
    },
  },
  {
    name: 'cpu',
    label: 'CPU-bound (--cpu-us 1000)',
    cpuUs: 1000,
    ioMs: 0,
    sweep: { rates: [400, 560, 800, 1100, 1600, 2200], objectiveP99Ms: 20, connections: 16 },
  },
  {
    name: 'io',
    label: 'I/O-bound (--io-ms 5)',
    cpuUs: 0,
    ioMs: 5,
    sweep: {
      rates: [250, 350, 500, 700, 1000, 1400, 2000, 2800, 4000, 5600, 8000, 11_000, 16_000],
      objectiveP99Ms: 25,
      connections: 128,
    },
  },
  // The regression check's second workload: enough work that a change to it shows, little
  // enough that the architectures' own costs still count.
  { name: 'cpu-50', label: 'light CPU (--cpu-us 50)', cpuUs: 50, ioMs: 0 },
  // A tail: most questions cheap, a few 100 times dearer (mean 149 cpu-us). On one event loop
  // every cheap question that arrives behind a dear one waits for it; a pool or a second
  // process keeps them moving, which shows in the p99 of the whole traffic.
  {
    name: 'cpu-tail',
    label: 'CPU with a tail (--cpu-us mix:98%:50:5000)',
    cpuUs: cpuUs('mix:98%:50:5000'),
    ioMs: 0,
    // From 2,000/s: on the 2-core machine the pool fell behind already at 2,800/s (p50 130 ms,
    // 2026-11-23), so its knee needs a step below; up to 8,000/s, past the best knee measured
    // (cluster, 4,000-5,600/s), within the default suite's 6 minutes.
    sweep: { rates: [2000, 2800, 4000, 5600, 8000], objectiveP99Ms: 20, connections: 16 },
  },
];

export const PATTERNS: readonly TrafficPattern[] = [
  {
    name: 'conversation',
    label: 'conversations (connect, 3 questions, close)',
    mode: 'conversation',
    pipeline: 1,
    questions: 3,
  },
  { name: 'persistent', label: 'persistent connections', mode: 'closed', pipeline: 1, questions: 3 },
  // Open loop: each workload's sweep (OpenSweep) says the rates and connections; Poisson
  // arrivals, seeded by the round, so that a round can be repeated question for question.
  { name: 'open', label: 'open loop, Poisson arrivals', mode: 'open', pipeline: 1, questions: 3, arrivals: 'poisson' },
  {
    name: 'pipelined',
    label: 'persistent connections, 16 questions in flight',
    mode: 'closed',
    pipeline: 16,
    questions: 3,
  },
];

/**
 * The default suite is 4 architectures x 3 workloads x 2 patterns x 3 levels = 72 TCP points,
 * and over HTTP 4 x 3 workloads x persistent x 2 levels = 24 autocannon points plus 12
 * cross-checks by our generator at 16 connections (where the two instruments' agreement is
 * judged), and the CPU tail's open-loop sweep over TCP (4 x 5 rates, fewer where the stopping
 * rule cuts a sweep short), each measured in 4 rounds: about 510 runs of 0.6 s and a server
 * start per architecture, workload, protocol and round, inside the 6 minutes promised on the
 * 2-core reference machine (the windows were shortened from 0.45 s to 0.4 s to fit the sweep).
 * Why several short windows rather than fewer long ones: the machine's noise comes in episodes
 * of seconds to minutes (docs/bench.md), which a longer window does not average away, while
 * windows spread over the run sample several moments of it; 4 repetitions give the median an
 * interval of 87.5% confidence (min to max).
 */
/**
 * The book's four architectures: what the default, quick and check suites run. Seven would not
 * fit the default suite's 6 minutes (each architecture adds a server start per workload, protocol
 * and round, and 27 points x 4 rounds), and the three others (reuseport, inetd, cluster-pool)
 * are variations on these whose place the full suite shows (docs/bench.md).
 */
export const BOOK_ARCHITECTURES: readonly string[] = ['blocking', 'pool', 'cluster', 'async'];

export const SUITES: readonly Suite[] = [
  {
    name: 'quick',
    architectures: BOOK_ARCHITECTURES,
    description:
      "smoke run: the book's four architectures, every workload, persistent connections, 16 connections, TCP and HTTP",
    workloads: ['none', 'cpu', 'io'],
    patterns: ['persistent'],
    connections: [16],
    http: { workloads: ['none', 'cpu', 'io'], patterns: ['persistent'], connections: [16], crossCheck: [] },
    open: null,
    warmupS: 0.25,
    durationS: 0.5,
    repeat: 2,
  },
  {
    name: 'default',
    architectures: BOOK_ARCHITECTURES,
    description:
      "the book's four architectures x workload x {conversation, persistent} at 1, 16 and 64 connections over TCP; persistent at 1 and 16 over HTTP; the CPU tail swept in open loop over TCP",
    workloads: ['none', 'cpu', 'io'],
    patterns: ['conversation', 'persistent'],
    connections: [1, 16, 64],
    http: { workloads: ['none', 'cpu', 'io'], patterns: ['persistent'], connections: [1, 16], crossCheck: [16] },
    open: { workloads: ['cpu-tail'], protocols: ['tcp'] },
    warmupS: 0.2,
    durationS: 0.4,
    repeat: 4,
  },
  {
    name: 'latency',
    architectures: BOOK_ARCHITECTURES,
    description: "open-loop sweeps only: every workload's sweep over TCP and HTTP, capacity at the latency objective",
    workloads: [],
    patterns: [],
    connections: [],
    http: null,
    open: { workloads: ['none', 'cpu', 'io', 'cpu-tail'], protocols: ['tcp', 'http'] },
    warmupS: 0.2,
    durationS: 0.4,
    repeat: 3,
  },
  {
    name: 'full',
    architectures: null,
    description:
      'every architecture x workload x pattern (pipelining too), 1 to 1024 connections, TCP and HTTP; the CPU tail over TCP',
    // cpu-tail over TCP only: its subject is the architectures' scheduling of work, which the
    // protocol does not change. Not in the default suite, whose 6 minutes are spent.
    workloads: ['none', 'cpu', 'io', 'cpu-tail'],
    patterns: ['conversation', 'persistent', 'pipelined'],
    connections: [1, 4, 16, 64, 256, 1024],
    http: {
      workloads: ['none', 'cpu', 'io'],
      patterns: ['persistent', 'pipelined'],
      connections: [1, 4, 16, 64, 256, 1024],
      crossCheck: [1, 16, 256],
    },
    open: { workloads: ['none', 'cpu', 'io', 'cpu-tail'], protocols: ['tcp', 'http'] },
    warmupS: 0.5,
    durationS: 2,
    repeat: 5,
  },
  {
    name: 'check',
    architectures: BOOK_ARCHITECTURES,
    description:
      "the regression check's points: the book's four architectures x {none, cpu-50}, one connection, one question at a time, over TCP (bench:check measures them its own way)",
    workloads: ['none', 'cpu-50'],
    patterns: ['persistent'],
    connections: [1],
    http: null,
    open: null,
    warmupS: 0.25,
    durationS: 0.55,
    repeat: 5,
  },
];

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((workload) => workload.name === name);
}

export function findPattern(name: string): TrafficPattern | undefined {
  return PATTERNS.find((pattern) => pattern.name === name);
}

export function findSuite(name: string): Suite | undefined {
  return SUITES.find((suite) => suite.name === name);
}
