/**
 * The one home of zenbench's statistics: the bench's summaries, bench:compare and the
 * regression check all use these. Medians and MADs rather than means and standard
 * deviations: on a shared machine one repetition now and then is slowed by a neighbour, and
 * a mean would let that one repetition decide. Every function here refuses an empty list
 * (RangeError); where "no values" is a possible answer, medianOrNull says so with null.
 */

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The q-quantile (0..1) by linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  const sorted = sortedCopy(values);
  const position = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] ?? 0;
  const high = sorted[upper] ?? low;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The median, or null for no values at all. */
export function medianOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : median(values);
}

/**
 * Interference from the rest of the machine only ever adds CPU time, so a set of repeated
 * measurements is a quiet level plus a tail to the right. The lower quartile stands for the
 * quiet level: unmoved by the tail, and not decided by one lucky value as the minimum is.
 */
export const FIGURE_QUANTILE = 0.25;

export function quietFigure(values: readonly number[]): number {
  return quantile(values, FIGURE_QUANTILE);
}

/**
 * Relative robust standard deviation: 1.4826 x MAD / median, which estimates the standard
 * deviation of normal data while ignoring a minority of outliers. 0 for fewer than 2 values.
 */
export function relativeSpread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const center = median(values);
  if (center === 0) return 0;
  const deviations = values.map((value) => Math.abs(value - center));
  return (1.4826 * median(deviations)) / Math.abs(center);
}

export interface MedianInterval {
  low: number;
  high: number;
  /**
   * The chance that [low, high] holds the true median, whatever the distribution: the pair of
   * order statistics around the sample median (binomial with p = 1/2). 0 for one value.
   */
  confidence: number;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * A distribution-free confidence interval of the median: the narrowest pair of order
 * statistics x(k) <= median <= x(n+1-k) whose coverage reaches `level`; with too few values
 * for that, the widest pair (min and max), with the coverage it has. It assumes only that the
 * values are independent draws of one distribution, which repetitions spread over a run are
 * closer to than any parametric shape: the machine's noise is a mixture of levels, not a bell.
 */
export function medianInterval(values: readonly number[], level = 0.9): MedianInterval {
  if (values.length === 0) throw new RangeError('medianInterval of no values');
  const sorted = sortedCopy(values);
  const n = sorted.length;
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  const confidence = n === 1 ? 0 : 1 - 2 * binomialHalfCdf(n, k - 1);
  return { low: sorted[k - 1] ?? Number.NaN, high: sorted[n - k] ?? Number.NaN, confidence };
}

/** a[0] x^n + a[1] x^(n-1) + ... + a[n], by Horner's rule. */
function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
}

const ACKLAM = {
  a: [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ],
  b: [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1],
  c: [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ],
  d: [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1],
} as const;

/**
 * The p-quantile (0 < p < 1) of the standard normal distribution, by Acklam's rational
 * approximation (relative error below 1.2e-9): 1.645 for p = 0.95.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, not ${p}`);
  const tail = (q: number): number => polynomial(ACKLAM.c, q) / polynomial(ACKLAM.d, q);
  const low = 0.02425;
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  return (polynomial(ACKLAM.a, q * q) * q) / polynomial(ACKLAM.b, q * q);
}
