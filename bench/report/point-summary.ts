/**
 * Folds a point's repetitions into the one row the reports show: the median of each figure,
 * with the spread of throughput kept for bench:compare's noise estimate.
 */
import { median, medianOrNull } from '../../lib/stats.js';
import type { PointSummary, RepetitionResult } from './results-format.js';

export function summarizeRepetitions(repetitions: readonly RepetitionResult[]): PointSummary | null {
  const loads = repetitions.flatMap((repetition) => (repetition.load === null ? [] : [repetition.load]));
  if (loads.length === 0) return null;
  const throughputs = loads.map((load) => load.throughput);
  const cpuPerAnswer = repetitions.flatMap((repetition) =>
    repetition.server?.cpuUsPerAnswer === null || repetition.server === null ? [] : [repetition.server.cpuUsPerAnswer],
  );
  const rss = repetitions.flatMap((repetition) =>
    repetition.server === null || repetition.server.peakRssBytes === 0 ? [] : [repetition.server.peakRssBytes],
  );
  return {
    repetitions: loads.length,
    throughput: median(throughputs),
    throughputMin: Math.min(...throughputs),
    throughputMax: Math.max(...throughputs),
    latencyP50Us: median(loads.map((load) => load.latencyUs.p50)),
    latencyP90Us: median(loads.map((load) => load.latencyUs.p90)),
    latencyP99Us: median(loads.map((load) => load.latencyUs.p99)),
    latencyP999Us: median(loads.map((load) => load.latencyUs.p999)),
    latencyMaxUs: Math.max(...loads.map((load) => load.latencyUs.max)),
    cpuUsPerAnswer: medianOrNull(cpuPerAnswer),
    peakRssBytes: medianOrNull(rss),
    errorTotal: Math.max(...loads.map((load) => load.errorTotal)),
    starvedConnections: median(loads.map((load) => load.errors.unansweredConnections)),
    saturated: loads.some((load) => load.saturated),
    failed: repetitions.some((repetition) => repetition.status === 'failed'),
  };
}
