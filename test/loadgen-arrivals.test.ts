/** Open mode's schedules: evenly spaced, or Poisson arrivals from a seed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gapSource } from '../loadgen/arrivals.js';

function draw(source: () => number, count: number): number[] {
  return Array.from({ length: count }, source);
}

describe('arrivals', () => {
  it('uniform: every gap is the mean', () => {
    assert.deepEqual(draw(gapSource('uniform', 4, 1), 3), [4, 4, 4]);
  });

  it('poisson: exponential gaps with the asked mean, the same for the same seed', () => {
    const gaps = draw(gapSource('poisson', 4, 42), 20_000);
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    // The mean of 20,000 exponential draws is within 2% of the true one far beyond 99.9% of runs.
    assert.ok(Math.abs(mean - 4) < 0.08, `mean ${mean}`);
    // An exponential's standard deviation equals its mean; evenly spaced gaps would have none.
    assert.ok(Math.abs(sd / mean - 1) < 0.05, `sd/mean ${sd / mean}`);
    assert.ok(gaps.every((gap) => gap >= 0 && Number.isFinite(gap)));
    assert.deepEqual(draw(gapSource('poisson', 4, 42), 5), gaps.slice(0, 5));
    assert.notDeepEqual(draw(gapSource('poisson', 4, 43), 5), gaps.slice(0, 5));
  });
});
