/**
 * Folds a point's repetitions into the one row the reports show: the median of each figure
 * with its confidence interval (lib/stats.ts, medianInterval), and what the point got of the
 * machine.
 */
import { median, medianInterval, medianOrNull, type MedianInterval } from '../../lib/stats.js';
import type { FigureInterval, PointSummary, RepetitionResult } from './results-format.js';

/** The confidence the intervals aim at; with few repetitions they get what min and max give. */
export const INTERVAL_LEVEL = 0.9;

function interval(values: readonly number[]): MedianInterval {
  return medianInterval(values, INTERVAL_LEVEL);
}

function figure(values: readonly number[]): FigureInterval {
  const { low, high } = interval(values);
  return { low, high };
}

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
  const shares = repetitions.flatMap((repetition) => (repetition.machine === null ? [] : [repetition.machine]));
  const loadgenCores = shares.flatMap((share) => (share.loadgenCores === null ? [] : [share.loadgenCores]));
  const p50 = loads.map((load) => load.latencyUs.p50);
  const p99 = loads.map((load) => load.latencyUs.p99);
  const intervals = {
    throughput: figure(throughputs),
    latencyP50Us: figure(p50),
    latencyP99Us: figure(p99),
    cpuUsPerAnswer: cpuPerAnswer.length === 0 ? null : figure(cpuPerAnswer),
  };
  return {
    repetitions: loads.length,
    confidence: interval(throughputs).confidence,
    throughput: median(throughputs),
    throughputMin: Math.min(...throughputs),
    throughputMax: Math.max(...throughputs),
    latencyP50Us: median(p50),
    latencyP90Us: median(loads.map((load) => load.latencyUs.p90)),
    latencyP99Us: median(p99),
    latencyP999Us: median(loads.map((load) => load.latencyUs.p999)),
    latencyMaxUs: Math.max(...loads.map((load) => load.latencyUs.max)),
    cpuUsPerAnswer: medianOrNull(cpuPerAnswer),
    // Widened by the spread between runs afterwards, where one is known (run-to-run.ts).
    intervals,
    withinRunIntervals: intervals,
    peakRssBytes: medianOrNull(rss),
    serverCores: medianOrNull(shares.map((share) => share.serverCores)),
    loadgenCores: medianOrNull(loadgenCores),
    disturbedRepetitions: shares.filter((share) => share.disturbed).length,
    errorTotal: Math.max(...loads.map((load) => load.errorTotal)),
    starvedConnections: median(loads.map((load) => load.errors.unansweredConnections)),
    saturated: loads.some((load) => load.saturated),
    failed: repetitions.some((repetition) => repetition.status === 'failed'),
  };
}
