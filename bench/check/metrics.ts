/**
 * The cost metrics the check can judge by, best first. Both are per answer and both leave out
 * the load generator: they describe what the server spends, which is what a change to a
 * server alters, while throughput and latency also move with everything else on the machine.
 */

export type CostMetric = 'instructions' | 'normalised-cpu';

export interface MetricDescription {
  label: string;
  unit: string;
  /** One line for the report: what the number is. */
  explanation: string;
  /**
   * The smallest threshold the check uses, whatever the measured noise. See docs/check.md
   * for where each comes from.
   */
  floor: number;
}

export const METRICS: Readonly<Record<CostMetric, MetricDescription>> = {
  instructions: {
    label: 'instructions per answer',
    unit: 'instr/answer',
    explanation: 'user-space instructions retired by the server process tree (perf stat -e instructions:u)',
    // Instruction counts move by well under 1% between runs (GC and JIT timing), so 2% is
    // already far outside their noise while still catching small regressions.
    floor: 0.02,
  },
  'normalised-cpu': {
    label: 'normalised CPU per answer',
    unit: 'ref-us/answer',
    explanation:
      "server process tree CPU time per answer, divided by the CPU time of one cpu-us of the servers' own burnCpu work measured in the same run",
    // With the points' chunks interleaved (measure.ts), four checks of the unchanged tree on
    // the shared 2-core VM moved no point's figure by more than 2.4% (32 point figures,
    // spread about 1.2%), so 4% is more than three of those spreads away. Measured back to
    // back, as before, pool no-work moved by up to 6.8% and a 4% floor raised false alarms.
    floor: 0.04,
  },
};

/** Preference order: the first metric that both this machine and the baseline have is used. */
export const METRIC_PREFERENCE: readonly CostMetric[] = ['instructions', 'normalised-cpu'];

export function isCostMetric(value: unknown): value is CostMetric {
  return value === 'instructions' || value === 'normalised-cpu';
}

/**
 * The metric to judge by: the most precise one measurable here that the baseline also holds;
 * null when there is none (the check then cannot run).
 */
export function chooseMetric(
  measurableNow: readonly CostMetric[],
  inBaseline: readonly CostMetric[],
): CostMetric | null {
  return METRIC_PREFERENCE.find((metric) => measurableNow.includes(metric) && inBaseline.includes(metric)) ?? null;
}
