/**
 * Turns a suite and the user's filters into the ordered list of points to measure.
 */
import type { Instrument } from '../../loadgen/instruments.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { hostNodeLine, runtimeLabel } from '../../lib/node-runtimes.js';
import { findPattern, PRIMARY_INSTRUMENT, type TrafficPattern, type Workload } from './scenarios.js';

/** One step of an open-loop sweep: the offered rate, and the objective the step is judged by. */
export interface OpenStep {
  /** Questions per second offered. */
  readonly rate: number;
  readonly objectiveP99Ms: number;
}

/** One measurement: one server configuration under one load. */
export interface BenchPoint {
  /**
   * Stable across runs, so that compare and the CI check can pair points:
   * arch/workload/pattern/cN, then /http over HTTP, @instrument when not the protocol's own, and
   * @nodeNN when the run has more than one Node (runtimeSuffix).
   */
  readonly id: string;
  readonly architecture: string;
  /** The Node the server runs under, as ids and tables name it (lib/node-runtimes.ts runtimeLabel). */
  readonly runtime: string;
  readonly protocol: ProtocolName;
  readonly instrument: Instrument;
  readonly workload: Workload;
  readonly pattern: TrafficPattern;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** A step of an open-loop sweep; absent for closed-loop points. */
  readonly open?: OpenStep;
}

/** The open-loop sweeps: each workload's sweep (scenarios.ts, OpenSweep) over each protocol. */
export interface OpenPlan {
  readonly workloads: readonly Workload[];
  readonly protocols: readonly ProtocolName[];
  /** --slo-p99-ms: one objective for every sweep instead of each workload's own. */
  readonly objectiveP99Ms?: number;
}

/** The points over HTTP (scenarios.ts, HttpCoverage), with the workloads and patterns found. */
export interface HttpPlan {
  readonly workloads: readonly Workload[];
  readonly patterns: readonly TrafficPattern[];
  readonly connections: readonly number[];
  readonly crossCheck: readonly number[];
}

/** The TCP points are every workload x pattern x concurrency level, unless `tcp` is false. */
export interface PlanInput {
  readonly architectures: readonly string[];
  readonly workloads: readonly Workload[];
  readonly patterns: readonly TrafficPattern[];
  readonly connections: readonly number[];
  readonly tcp?: boolean;
  readonly http?: HttpPlan | null;
  readonly open?: OpenPlan | null;
  readonly warmupS: number;
  readonly durationS: number;
  /** The Nodes the servers run under (labels, e.g. node24); the host's alone when absent. */
  readonly runtimes?: readonly string[];
}

interface Coverage extends HttpPlan {
  readonly protocol: ProtocolName;
}

/** How a point is measured besides its workload, pattern and concurrency: '' for TCP by our generator. */
export function variantOf(protocol: ProtocolName, instrument: Instrument): string {
  const over = protocol === 'tcp' ? '' : `/${protocol}`;
  return instrument === PRIMARY_INSTRUMENT[protocol] ? over : `${over}@${instrument}`;
}

/** For a reader: "over HTTP, by autocannon"; '' for TCP by our generator. */
export function variantLabel(protocol: ProtocolName, instrument: Instrument): string {
  if (protocol === 'tcp' && instrument === PRIMARY_INSTRUMENT.tcp) return '';
  return `over ${protocol.toUpperCase()}, by ${instrument}`;
}

/**
 * What a point's id ends with for its Node: '@node24' in a run under more than one Node, ''
 * otherwise (a run under one Node keeps the ids that runs before --node had).
 */
export function runtimeSuffix(point: { readonly id?: string; readonly runtime?: string }): string {
  if (point.runtime === undefined || point.id === undefined) return '';
  return point.id.endsWith(`@${point.runtime}`) ? `@${point.runtime}` : '';
}

export function pointId(
  architecture: string,
  workload: string,
  pattern: string,
  connections: number,
  protocol: ProtocolName = 'tcp',
  instrument: Instrument = PRIMARY_INSTRUMENT[protocol],
  suffix = '',
): string {
  return `${architecture}/${workload}/${pattern}/c${connections}${variantOf(protocol, instrument)}${suffix}`;
}

/**
 * A sweep step's id: `async/cpu-tail/open/c16/r4000`, then /http@zenbench over HTTP (variantOf)
 * and @nodeNN when the run has more than one Node.
 */
export function stepId(
  architecture: string,
  workload: string,
  connections: number,
  rate: number,
  protocol: ProtocolName = 'tcp',
  suffix = '',
): string {
  const variant = variantOf(protocol, 'zenbench');
  return `${architecture}/${workload}/${OPEN_PATTERN_NAME}/c${connections}/r${rate}${variant}${suffix}`;
}

export const OPEN_PATTERN_NAME = 'open';

/** The pattern of the sweeps, as scenarios.ts declares it. */
export function openPattern(): TrafficPattern {
  const pattern = findPattern(OPEN_PATTERN_NAME);
  if (pattern === undefined) throw new Error(`scenarios.ts declares no pattern ${OPEN_PATTERN_NAME}`);
  return pattern;
}

/**
 * The least warm-up of a sweep's first step, which meets a freshly started server. A fresh
 * pool server under cpu-tail at 2,000/s, three 0.2 s + 0.4 s runs back to back: p99 20, 14,
 * then 7.5 ms (twice alike, 2026-11-23), its threads still warming for about a second; with
 * the suite's 0.2 s the first step read the server's start-up, not its capacity.
 */
export const SWEEP_FIRST_WARMUP_S = 1.5;

/**
 * The sweeps' steps, protocol by protocol and workload by workload, rates ascending and the
 * architectures side by side at each rate (as the closed points are at each level). Every
 * step is measured by our generator: autocannon has no open mode.
 */
export function planSteps(
  open: OpenPlan,
  architectures: readonly string[],
  warmupS: number,
  durationS: number,
  runtimes: readonly string[],
): BenchPoint[] {
  const pattern = openPattern();
  const steps: BenchPoint[] = [];
  for (const protocol of open.protocols) {
    for (const workload of open.workloads) {
      const sweep = workload.sweep;
      if (sweep === undefined) continue;
      const objectiveP99Ms = open.objectiveP99Ms ?? sweep.objectiveP99Ms;
      for (const rate of sweep.rates) {
        const stepWarmupS = rate === sweep.rates[0] ? Math.max(warmupS, SWEEP_FIRST_WARMUP_S) : warmupS;
        for (const architecture of architectures) {
          for (const runtime of runtimes) {
            const suffix = runtimes.length > 1 ? `@${runtime}` : '';
            steps.push({
              id: stepId(architecture, workload.name, sweep.connections, rate, protocol, suffix),
              architecture,
              runtime,
              protocol,
              instrument: 'zenbench',
              workload,
              pattern,
              connections: sweep.connections,
              warmupS: stepWarmupS,
              durationS,
              open: { rate, objectiveP99Ms },
            });
          }
        }
      }
    }
  }
  return steps;
}

/**
 * Points ordered protocol, workload, pattern, concurrency, instrument, architecture, Node: the
 * architectures of one table (and one architecture under each Node) are measured next to each
 * other in time, so slow drift of a shared machine hits them alike. autocannon drives
 * persistent connections only, so an HTTP pattern of conversations is measured by our
 * generator alone.
 */
export function planPoints(input: PlanInput): BenchPoint[] {
  const points: BenchPoint[] = [];
  const coverage: Coverage[] = [];
  const runtimes = input.runtimes ?? [runtimeLabel(hostNodeLine())];
  if (input.tcp !== false) coverage.push({ ...input, protocol: 'tcp', crossCheck: [] });
  if (input.http) coverage.push({ ...input.http, protocol: 'http' });
  for (const { protocol, workloads, patterns, connections, crossCheck } of coverage) {
    const primary = PRIMARY_INSTRUMENT[protocol];
    for (const workload of workloads) {
      // The sweeps are planned by planSteps, at their own rates and connections.
      for (const pattern of patterns.filter((candidate) => candidate.mode !== 'open')) {
        for (const level of connections) {
          const own = primary === 'autocannon' && pattern.mode !== 'closed' ? 'zenbench' : primary;
          const instruments: Instrument[] = [own];
          if (own !== 'zenbench' && crossCheck.includes(level)) instruments.push('zenbench');
          for (const instrument of instruments) {
            for (const architecture of input.architectures) {
              for (const runtime of runtimes) {
                const suffix = runtimes.length > 1 ? `@${runtime}` : '';
                points.push({
                  id: pointId(architecture, workload.name, pattern.name, level, protocol, instrument, suffix),
                  architecture,
                  runtime,
                  protocol,
                  instrument,
                  workload,
                  pattern,
                  connections: level,
                  warmupS: input.warmupS,
                  durationS: input.durationS,
                });
              }
            }
          }
        }
      }
    }
  }
  if (input.open) {
    points.push(...planSteps(input.open, input.architectures, input.warmupS, input.durationS, runtimes));
  }
  return points;
}

/**
 * Seconds beyond the warm-up and the measured window: per run of the load generator
 * (connecting, the report over its pipe), and per server, which each round starts afresh for
 * every architecture and workload (start-up, listening line, SIGTERM and exit). Measured on
 * the reference machine from the phases three default runs recorded (2026-11-23 19:21-20:14
 * UTC: 0.005-0.01 s a run, 0.16-0.17 s a start and 0.05 s a stop); used only for the time
 * estimate and the progress bar's time left.
 */
export const RUN_OVERHEAD_S = 0.01;
export const SERVER_OVERHEAD_S = 0.21;

export function estimateSeconds(points: readonly BenchPoint[], repeat: number): number {
  const servers = new Set(
    points.map((point) => `${point.architecture}/${point.runtime}/${point.workload.name}/${point.protocol}`),
  ).size;
  let round = servers * SERVER_OVERHEAD_S;
  for (const point of points) round += point.warmupS + point.durationS + RUN_OVERHEAD_S;
  return round * repeat;
}

interface Placed {
  readonly id?: string;
  readonly runtime?: string;
  readonly protocol: ProtocolName;
  readonly instrument: Instrument;
  readonly workload: { readonly name: string };
  readonly pattern: { readonly name: string };
  readonly connections: number;
  readonly open?: { readonly rate: number };
}

/**
 * The points of one report section: one workload and pattern, over one protocol, by one
 * instrument, under one Node when the run had several.
 */
export function sectionKeyOf(point: Placed): string {
  return `${acrossRuntimesKeyOf(point)}${runtimeSuffix(point)}`;
}

/** A section's key without the Node: where one architecture's points under each Node meet. */
export function acrossRuntimesKeyOf(point: Placed): string {
  return `${point.workload.name}/${point.pattern.name}${variantOf(point.protocol, point.instrument)}`;
}

/** One architecture's sweep (its steps at every rate): what the stopping rule stops; '' for closed points. */
export function sweepKeyOf(point: Placed & { readonly architecture: string }): string {
  if (point.open === undefined) return '';
  return `${point.architecture}/${sectionKeyOf(point)}/c${point.connections}`;
}

/** The points compared with each other: the architectures at one section's concurrency level. */
export function groupKeyOf(point: Placed): string {
  const step = point.open === undefined ? '' : `/r${point.open.rate}`;
  return `${sectionKeyOf(point)}/c${point.connections}${step}`;
}
