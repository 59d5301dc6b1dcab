/**
 * Turns a suite and the user's filters into the ordered list of points to measure.
 */
import type { Instrument } from '../../loadgen/instruments.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { PRIMARY_INSTRUMENT, type TrafficPattern, type Workload } from './scenarios.js';

/** One measurement: one server configuration under one load. */
export interface BenchPoint {
  /**
   * Stable across runs, so that compare and the CI check can pair points:
   * arch/workload/pattern/cN, then /http over HTTP, and @instrument when not the protocol's own.
   */
  readonly id: string;
  readonly architecture: string;
  readonly protocol: ProtocolName;
  readonly instrument: Instrument;
  readonly workload: Workload;
  readonly pattern: TrafficPattern;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
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
  readonly warmupS: number;
  readonly durationS: number;
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

export function pointId(
  architecture: string,
  workload: string,
  pattern: string,
  connections: number,
  protocol: ProtocolName = 'tcp',
  instrument: Instrument = PRIMARY_INSTRUMENT[protocol],
): string {
  return `${architecture}/${workload}/${pattern}/c${connections}${variantOf(protocol, instrument)}`;
}

/**
 * Points ordered protocol, workload, pattern, concurrency, instrument, architecture: the
 * architectures of one table are measured next to each other in time, so slow drift of a
 * shared machine hits them alike. autocannon drives persistent connections only, so an HTTP
 * pattern of conversations is measured by our generator alone.
 */
export function planPoints(input: PlanInput): BenchPoint[] {
  const points: BenchPoint[] = [];
  const coverage: Coverage[] = [];
  if (input.tcp !== false) coverage.push({ ...input, protocol: 'tcp', crossCheck: [] });
  if (input.http) coverage.push({ ...input.http, protocol: 'http' });
  for (const { protocol, workloads, patterns, connections, crossCheck } of coverage) {
    const primary = PRIMARY_INSTRUMENT[protocol];
    for (const workload of workloads) {
      for (const pattern of patterns) {
        for (const level of connections) {
          const own = primary === 'autocannon' && pattern.mode !== 'closed' ? 'zenbench' : primary;
          const instruments: Instrument[] = [own];
          if (own !== 'zenbench' && crossCheck.includes(level)) instruments.push('zenbench');
          for (const instrument of instruments) {
            for (const architecture of input.architectures) {
              points.push({
                id: pointId(architecture, workload.name, pattern.name, level, protocol, instrument),
                architecture,
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
  return points;
}

/**
 * Seconds beyond the warm-up and the measured window: per run of the load generator
 * (connecting, the report over its pipe), and per server, which each round starts afresh for
 * every architecture and workload (start-up, listening line, SIGTERM and exit). Measured on
 * the reference machine; used only for the time estimate and the progress bar's time left.
 */
export const RUN_OVERHEAD_S = 0.04;
export const SERVER_OVERHEAD_S = 0.25;

export function estimateSeconds(points: readonly BenchPoint[], repeat: number): number {
  const servers = new Set(points.map((point) => `${point.architecture}/${point.workload.name}/${point.protocol}`)).size;
  let round = servers * SERVER_OVERHEAD_S;
  for (const point of points) round += point.warmupS + point.durationS + RUN_OVERHEAD_S;
  return round * repeat;
}

interface Placed {
  readonly protocol: ProtocolName;
  readonly instrument: Instrument;
  readonly workload: { readonly name: string };
  readonly pattern: { readonly name: string };
  readonly connections: number;
}

/** The points of one report section: one workload and pattern, over one protocol, by one instrument. */
export function sectionKeyOf(point: Placed): string {
  return `${point.workload.name}/${point.pattern.name}${variantOf(point.protocol, point.instrument)}`;
}

/** The points compared with each other: the architectures at one section's concurrency level. */
export function groupKeyOf(point: Placed): string {
  return `${sectionKeyOf(point)}/c${point.connections}`;
}
