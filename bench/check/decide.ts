/**
 * The decision: given a point's repetitions in the baseline and now, has its cost changed by
 * more than noise explains? Pure functions over numbers, so that the tests can feed them
 * synthetic measurements.
 */
import { quietFigure, relativeSpread } from '../../lib/stats.js';

export interface ThresholdPolicy {
  /** How many standard deviations of the compared figures' difference count as a change. */
  multiple: number;
  /** Smallest threshold (a fraction, 0.04 = 4%), whatever the noise measured. */
  floor: number;
}

export interface Comparison {
  baseline: number;
  now: number;
  /** now / baseline - 1. */
  change: number;
  /** The change, as a fraction, beyond which the point is called changed. */
  threshold: number;
  /** Relative standard deviation of one repetition, the larger of baseline's and now's. */
  spread: number;
  direction: 'higher' | 'lower' | 'within';
}

/**
 * Standard deviation of a lower quartile of n values relative to one value's: about
 * sqrt(0.25 x 0.75) / phi(0.674) / sqrt(n) = 1.3626 / sqrt(n) for normal data.
 */
function figureNoise(spread: number, count: number): number {
  return (1.3626 * spread) / Math.sqrt(Math.max(count, 1));
}

/**
 * The threshold for one point: `multiple` standard deviations of the difference between the
 * two figures compared, estimated from the robust spread of all the repetitions on each side
 * (the larger one, so that a noisy run widens its own threshold rather than raising a false
 * alarm), and never below the floor. All repetitions, not only the quiet half: how far a
 * point's quiet level moves from one run to the next follows the whole spread (measured: pool
 * no-work moved by up to 6.3% between unchanged runs, where its quiet half predicted 5.3%).
 */
export function thresholdFor(
  baselineValues: readonly number[],
  nowValues: readonly number[],
  policy: ThresholdPolicy,
): { threshold: number; spread: number } {
  const spread = Math.max(relativeSpread(baselineValues), relativeSpread(nowValues));
  const differenceNoise = Math.hypot(figureNoise(spread, baselineValues.length), figureNoise(spread, nowValues.length));
  return { threshold: Math.max(policy.floor, policy.multiple * differenceNoise), spread };
}

export function compare(
  baselineValues: readonly number[],
  nowValues: readonly number[],
  policy: ThresholdPolicy,
): Comparison {
  if (baselineValues.length === 0 || nowValues.length === 0) throw new RangeError('compare needs values on both sides');
  const baseline = quietFigure(baselineValues);
  const now = quietFigure(nowValues);
  const change = baseline === 0 ? 0 : now / baseline - 1;
  const { threshold, spread } = thresholdFor(baselineValues, nowValues, policy);
  const direction = change > threshold ? 'higher' : change < -threshold ? 'lower' : 'within';
  return { baseline, now, change, threshold, spread, direction };
}

/**
 * - regression: above the threshold, and again when measured afresh.
 * - not-confirmed: above the threshold once, within it when measured again (noise; passes).
 * - improved: below the threshold (passes; a hint to re-record the baseline).
 * - ok: within the threshold.
 * - unmeasured: the point could not be measured now (the check cannot run).
 * - not-in-baseline: the baseline has no such point (re-record it).
 */
export type Verdict = 'ok' | 'improved' | 'regression' | 'not-confirmed' | 'unmeasured' | 'not-in-baseline';

export function verdictFor(first: Comparison, confirmation: Comparison | null): Verdict {
  if (first.direction === 'lower') return 'improved';
  if (first.direction === 'within') return 'ok';
  if (confirmation === null) throw new Error('a point above its threshold must be measured again before a verdict');
  return confirmation.direction === 'higher' ? 'regression' : 'not-confirmed';
}

export const EXIT_PASS = 0;
export const EXIT_REGRESSION = 1;
export const EXIT_CANNOT_RUN = 2;

export type Outcome =
  | { exitCode: typeof EXIT_PASS; summary: string }
  | { exitCode: typeof EXIT_REGRESSION; summary: string }
  | { exitCode: typeof EXIT_CANNOT_RUN; summary: string };

/**
 * A confirmed regression fails the check even when another point could not be measured: it
 * is a finding on its own. Otherwise any point without a verdict means the check could not
 * run, never a pass.
 */
export function outcomeOf(verdicts: ReadonlyArray<{ id: string; verdict: Verdict; reason?: string }>): Outcome {
  const regressed = verdicts.filter((point) => point.verdict === 'regression').map((point) => point.id);
  if (regressed.length > 0) {
    return { exitCode: EXIT_REGRESSION, summary: `regression confirmed at ${regressed.join(', ')}` };
  }
  const missing = verdicts.filter((point) => point.verdict === 'unmeasured' || point.verdict === 'not-in-baseline');
  if (missing.length > 0) {
    const reasons = missing.map((point) => `${point.id}: ${point.reason ?? point.verdict}`);
    return { exitCode: EXIT_CANNOT_RUN, summary: `could not judge ${reasons.join('; ')}` };
  }
  if (verdicts.length === 0) return { exitCode: EXIT_CANNOT_RUN, summary: 'no points were compared' };
  return { exitCode: EXIT_PASS, summary: 'no regression' };
}
