/**
 * Turns a suite and the user's filters into the ordered list of points to measure.
 */
import type { TrafficPattern, Workload } from './scenarios.js';

/** One measurement: one server configuration under one load. */
export interface BenchPoint {
  /** Stable across runs, so that compare and the CI check can pair points: arch/workload/pattern/cN. */
  readonly id: string;
  readonly architecture: string;
  readonly workload: Workload;
  readonly pattern: TrafficPattern;
  readonly connections: number;
  readonly warmupS: number;
  readonly durationS: number;
}

export interface PlanInput {
  readonly architectures: readonly string[];
  readonly workloads: readonly Workload[];
  readonly patterns: readonly TrafficPattern[];
  readonly connections: readonly number[];
  readonly warmupS: number;
  readonly durationS: number;
}

export function pointId(architecture: string, workload: string, pattern: string, connections: number): string {
  return `${architecture}/${workload}/${pattern}/c${connections}`;
}

/**
 * Points ordered workload, pattern, concurrency, architecture: the architectures of one table
 * are measured next to each other in time, so slow drift of a shared machine hits them alike.
 */
export function planPoints(input: PlanInput): BenchPoint[] {
  const points: BenchPoint[] = [];
  for (const workload of input.workloads) {
    for (const pattern of input.patterns) {
      for (const connections of input.connections) {
        for (const architecture of input.architectures) {
          points.push({
            id: pointId(architecture, workload.name, pattern.name, connections),
            architecture,
            workload,
            pattern,
            connections,
            warmupS: input.warmupS,
            durationS: input.durationS,
          });
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
  const servers = new Set(points.map((point) => `${point.architecture}/${point.workload.name}`)).size;
  let round = servers * SERVER_OVERHEAD_S;
  for (const point of points) round += point.warmupS + point.durationS + RUN_OVERHEAD_S;
  return round * repeat;
}
