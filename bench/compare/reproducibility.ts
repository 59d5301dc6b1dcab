/**
 * Several runs of one suite against each other: how far each pair agrees in the terms their
 * reports print (medians inside the other's interval, clear winners), and the points whose
 * medians moved most. The proof of docs/evidence/bench-reproducibility.md comes from here.
 */
import { agreementOf, type Agreement } from './compare-results.js';
import type { BenchResults } from '../report/results-format.js';

export interface PairAgreement extends Agreement {
  /** Indexes of the two runs in the list given. */
  a: number;
  b: number;
}

export interface MovedPoint {
  id: string;
  /** The point's throughput median in each run that measured it, in the order given. */
  medians: number[];
  /** Highest median over lowest, minus 1. */
  spread: number;
}

export interface Reproducibility {
  pairs: PairAgreement[];
  /** The median of all points' spreads, and the points that moved most, worst first. */
  medianSpread: number | null;
  worst: MovedPoint[];
}

const WORST_SHOWN = 5;

export function reproducibilityOf(runs: readonly BenchResults[]): Reproducibility {
  const pairs: PairAgreement[] = [];
  runs.forEach((runA, a) => {
    runs.slice(a + 1).forEach((runB, offset) => pairs.push({ a, b: a + 1 + offset, ...agreementOf(runA, runB) }));
  });
  const ids = [...new Set(runs.flatMap((run) => run.points.map((point) => point.id)))];
  const moved = ids.flatMap((id) => {
    const medians = runs.flatMap((run) => {
      const summary = run.points.find((point) => point.id === id)?.summary;
      return summary === null || summary === undefined || summary.failed ? [] : [summary.throughput];
    });
    const lowest = Math.min(...medians);
    return medians.length < 2 || !(lowest > 0) ? [] : [{ id, medians, spread: Math.max(...medians) / lowest - 1 }];
  });
  const spreads = moved.map((point) => point.spread).sort((x, y) => x - y);
  const middle = spreads.length === 0 ? null : (spreads[Math.floor((spreads.length - 1) / 2)] ?? null);
  return {
    pairs,
    medianSpread: middle,
    worst: [...moved].sort((x, y) => y.spread - x.spread).slice(0, WORST_SHOWN),
  };
}
