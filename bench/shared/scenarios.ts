/**
 * What the bench measures, declared as data: workloads (the per-question work a server does),
 * traffic patterns (how the load generator talks to it) and suites (which combinations, at
 * which concurrency levels, for how long). Adding a workload, a pattern or a suite is one
 * entry here; adding an architecture is one entry in servers/registry.ts.
 */
import type { Instrument } from '../../loadgen/instruments.js';
import type { LoadMode } from '../../loadgen/types.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { SERVER_OPTIONS } from '../../servers/server-options.js';
import type { ServiceTime } from '../../servers/shared/service-time.js';

export interface Workload {
  readonly name: string;
  /** Shown in reports: what the server does for each question. */
  readonly label: string;
  /** What --cpu-us and --io-ms are given: a fixed cost or a distribution (servers/shared/service-time.ts). */
  readonly cpuUs: ServiceTime;
  readonly ioMs: ServiceTime;
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
  /** The TCP points: every workload x pattern x concurrency level. */
  readonly workloads: readonly string[];
  readonly patterns: readonly string[];
  readonly connections: readonly number[];
  readonly http: HttpCoverage | null;
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
export const WORKLOADS: readonly Workload[] = [
  { name: 'none', label: 'no work', cpuUs: 0, ioMs: 0 },
  { name: 'cpu', label: 'CPU-bound (--cpu-us 1000)', cpuUs: 1000, ioMs: 0 },
  { name: 'io', label: 'I/O-bound (--io-ms 5)', cpuUs: 0, ioMs: 5 },
  // The regression check's second workload: enough work that a change to it shows, little
  // enough that the architectures' own costs still count.
  { name: 'cpu-50', label: 'light CPU (--cpu-us 50)', cpuUs: 50, ioMs: 0 },
  // A tail: most questions cheap, a few 100 times dearer (mean 149 cpu-us). On one event loop
  // every cheap question that arrives behind a dear one waits for it; a pool or a second
  // process keeps them moving, which shows in the p99 of the whole traffic.
  { name: 'cpu-tail', label: 'CPU with a tail (--cpu-us mix:98%:50:5000)', cpuUs: cpuUs('mix:98%:50:5000'), ioMs: 0 },
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
 * judged), each measured in 4 rounds: 432 runs of 0.65 s and a server start per architecture,
 * workload, protocol and round, about 5.5 minutes on the 2-core reference machine, inside the 6
 * minutes promised. Why several short windows rather than fewer long ones: the machine's noise
 * comes in episodes of seconds to minutes (docs/bench.md), which a longer window does not
 * average away, while windows spread over the run sample several moments of it; 4 repetitions
 * give the median an interval of 87.5% confidence (min to max).
 */
export const SUITES: readonly Suite[] = [
  {
    name: 'quick',
    description: 'smoke run: every architecture and workload, persistent connections, 16 connections, TCP and HTTP',
    workloads: ['none', 'cpu', 'io'],
    patterns: ['persistent'],
    connections: [16],
    http: { workloads: ['none', 'cpu', 'io'], patterns: ['persistent'], connections: [16], crossCheck: [] },
    warmupS: 0.25,
    durationS: 0.5,
    repeat: 2,
  },
  {
    name: 'default',
    description:
      'every architecture x workload x {conversation, persistent} at 1, 16 and 64 connections over TCP; persistent at 1 and 16 over HTTP',
    workloads: ['none', 'cpu', 'io'],
    patterns: ['conversation', 'persistent'],
    connections: [1, 16, 64],
    http: { workloads: ['none', 'cpu', 'io'], patterns: ['persistent'], connections: [1, 16], crossCheck: [16] },
    warmupS: 0.2,
    durationS: 0.45,
    repeat: 4,
  },
  {
    name: 'full',
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
    warmupS: 0.5,
    durationS: 2,
    repeat: 5,
  },
  {
    name: 'check',
    description:
      "the regression check's points: every architecture x {none, cpu-50}, one connection, one question at a time, over TCP (bench:check measures them its own way)",
    workloads: ['none', 'cpu-50'],
    patterns: ['persistent'],
    connections: [1],
    http: null,
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
