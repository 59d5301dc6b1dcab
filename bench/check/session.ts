/**
 * Measures a set of points, several repetitions each, in round-robin order: repetition 1 of
 * every point, then repetition 2, and so on. A burst of a neighbour's work then slows one
 * repetition of several points instead of every repetition of one point.
 */
import { MeasurementError, measureRepetition, type RepetitionRequest, type RepetitionResult } from './measure.js';
import { PinError, pinToOneCpu } from './pin.js';
import type { CheckPoint, MeasureSettings } from './scenarios.js';

/** Fewer successful repetitions than this and a point is not judged: its spread means nothing. */
export const MIN_REPETITIONS = 3;

export type RepetitionMeasurer = (request: RepetitionRequest) => Promise<RepetitionResult>;

export interface RoundRequest {
  points: readonly CheckPoint[];
  settings: MeasureSettings;
  repetitions: number;
  /** cpu-us of work to add to every answer of a point (sensitivity proofs); 0 normally. */
  extraCpuUs: (point: CheckPoint) => number;
  countInstructions: boolean;
  measure?: RepetitionMeasurer;
  onRepetition?: (point: CheckPoint, done: number, total: number) => void;
}

export interface PointRound {
  point: CheckPoint;
  results: RepetitionResult[];
  failures: string[];
}

export function enoughRepetitions(round: PointRound): boolean {
  return round.results.length >= MIN_REPETITIONS;
}

export async function measureRound(request: RoundRequest): Promise<Map<string, PointRound>> {
  const measure = request.measure ?? measureRepetition;
  // Only real measurements need the pin; a failure to pin fails them all, with the reason.
  let pinFailure: string | null = null;
  if (request.measure === undefined && request.settings.oneCpu) {
    try {
      pinToOneCpu();
    } catch (error) {
      if (!(error instanceof PinError)) throw error;
      pinFailure = error.message;
    }
  }
  const rounds = new Map<string, PointRound>(request.points.map((point) => [point.id, { point, results: [], failures: [] }]));
  const total = request.points.length * request.repetitions;
  let done = 0;
  for (let repetition = 0; repetition < request.repetitions; repetition++) {
    for (const point of request.points) {
      const round = rounds.get(point.id);
      if (round === undefined) continue;
      if (pinFailure !== null) {
        round.failures.push(pinFailure);
        continue;
      }
      try {
        round.results.push(
          await measure({ point, settings: request.settings, extraCpuUs: request.extraCpuUs(point), countInstructions: request.countInstructions }),
        );
      } catch (error) {
        if (!(error instanceof MeasurementError) && !(error instanceof Error)) throw error;
        round.failures.push(error.message);
      }
      request.onRepetition?.(point, ++done, total);
    }
  }
  return rounds;
}
