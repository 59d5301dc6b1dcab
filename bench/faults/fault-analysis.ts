/**
 * What a run's timeline says about the service around its fault: the level before it, how low
 * it went, when it was back, and how many answers it fell short by. Pure functions of the
 * load generator's timeline, so that a results file can be read again without running anything.
 */
import { median } from '../../lib/stats.js';
import type { Timeline } from '../../loadgen/types.js';

/** Full service: this fraction of the level before the fault. */
export const RECOVERY_FRACTION = 0.9;
/** Rates are read over spans this long, so that one slow bucket is not taken for a dip. */
const SPAN_MS = 300;
/** The start of the window, still settling after the warm-up, is not part of the level. */
const SETTLE_MS = 500;
/** The level is the rate over at most this long before the fault. */
const LEVEL_MS = 1500;

export type ServiceOutcome =
  /** No fault happened within the run (the baseline, or a knob whose Nth question never came). */
  | 'no-fault'
  /** The rate never fell below RECOVERY_FRACTION of the level. */
  | 'no-dip'
  /** It fell below, and came back within the run. */
  | 'recovered'
  /** It fell below and was not back by the end of the run. */
  | 'never';

export interface ServiceFigures {
  outcome: ServiceOutcome;
  /** Answers per second before the fault (the whole settled window when there was none). */
  levelPerS: number;
  /** The lowest rate over any SPAN_MS after the fault, answers per second. */
  lowestPerS: number | null;
  /** From the fault to the start of the first span back at RECOVERY_FRACTION of the level, ms. */
  recoveryMs: number | null;
  /** Answers short of the level from the fault to the end of the window (0 when there were more). */
  shortfall: number | null;
  /** How long the run went on after the fault, ms. */
  observedAfterMs: number | null;
  /** The slowest answer that arrived after the fault (of the whole window when there was none), ms. */
  slowestMs: number | null;
}

function sumOf(values: readonly number[], from: number, to: number): number {
  let total = 0;
  for (let index = from; index < to; index++) total += values[index] ?? 0;
  return total;
}

/**
 * The figures of one run; `faultAtMs` is the fault's moment in the window, null if none came.
 * From the fault on, at most `observeMs` are read, so that runs whose fault came at different
 * moments are read over the same span.
 */
export function analyseService(
  timeline: Timeline,
  windowMs: number,
  faultAtMs: number | null,
  observeMs = Infinity,
): ServiceFigures {
  const { bucketMs, answers, maxLatencyUs } = timeline;
  // The last bucket may be cut short by the window's end: only whole buckets are read.
  const whole = Math.min(answers.length, Math.floor(windowMs / bucketMs));
  const full =
    faultAtMs === null ? whole : Math.min(whole, Math.floor(faultAtMs / bucketMs) + Math.round(observeMs / bucketMs));
  const slowest = (from: number): number | null =>
    full > from ? Math.max(...maxLatencyUs.slice(from, full)) / 1000 : null;
  const span = Math.max(1, Math.round(SPAN_MS / bucketMs));
  const rate = (from: number, to: number): number =>
    to > from ? sumOf(answers, from, to) / (((to - from) * bucketMs) / 1000) : 0;
  const settled = Math.min(Math.ceil(SETTLE_MS / bucketMs), Math.max(0, full - 1));
  if (faultAtMs === null || faultAtMs >= full * bucketMs) {
    return {
      outcome: 'no-fault',
      levelPerS: rate(settled, full),
      lowestPerS: null,
      recoveryMs: null,
      shortfall: null,
      observedAfterMs: null,
      slowestMs: slowest(0),
    };
  }
  const faultBucket = Math.max(0, Math.floor(faultAtMs / bucketMs));
  const levelFrom = Math.max(Math.min(settled, faultBucket - 1), faultBucket - Math.round(LEVEL_MS / bucketMs), 0);
  const levelPerS = rate(levelFrom, faultBucket);
  const threshold = RECOVERY_FRACTION * levelPerS;
  let lowestPerS: number | null = null;
  let dip: number | null = null;
  let back: number | null = null;
  for (let index = faultBucket; index + span <= full; index++) {
    const spanRate = rate(index, index + span);
    lowestPerS = lowestPerS === null ? spanRate : Math.min(lowestPerS, spanRate);
    if (dip === null) {
      if (spanRate < threshold) dip = index;
    } else if (back === null && spanRate >= threshold) back = index;
  }
  const observedAfterMs = Math.max(0, full * bucketMs - faultAtMs);
  const expected = (levelPerS * (full - faultBucket) * bucketMs) / 1000;
  const shortfall = Math.max(0, Math.round(expected - sumOf(answers, faultBucket, full)));
  const outcome: ServiceOutcome = dip === null ? 'no-dip' : back === null ? 'never' : 'recovered';
  return {
    outcome,
    levelPerS,
    lowestPerS,
    recoveryMs: back === null ? (dip === null ? 0 : null) : Math.max(0, back * bucketMs - faultAtMs),
    shortfall,
    observedAfterMs,
    slowestMs: slowest(faultBucket),
  };
}

export interface MemorySample {
  /** ms into the window. */
  atMs: number;
  rssBytes: number;
  processes: number;
}

export interface MemoryFigures {
  /** The tree's RSS just before the fault (the median of the window's samples when there was none). */
  beforeBytes: number | null;
  /** The highest sample from the fault on (of the whole window when there was none). */
  peakBytes: number | null;
  /** The last sample, while the server still ran. */
  endBytes: number | null;
}

export function analyseMemory(samples: readonly MemorySample[], faultAtMs: number | null): MemoryFigures {
  // A process that has died but is not yet reaped is still listed, with no memory.
  const alive = samples.filter((sample) => sample.processes > 0 && sample.rssBytes > 0);
  if (alive.length === 0) return { beforeBytes: null, peakBytes: null, endBytes: null };
  const before = faultAtMs === null ? alive : alive.filter((sample) => sample.atMs < faultAtMs);
  const after = faultAtMs === null ? alive : alive.filter((sample) => sample.atMs >= faultAtMs);
  const last = (list: readonly MemorySample[]): number | null => list[list.length - 1]?.rssBytes ?? null;
  return {
    beforeBytes:
      faultAtMs === null ? median(before.map((sample) => sample.rssBytes)) : (last(before) ?? alive[0]!.rssBytes),
    peakBytes: after.length === 0 ? null : Math.max(...after.map((sample) => sample.rssBytes)),
    endBytes: last(alive),
  };
}
