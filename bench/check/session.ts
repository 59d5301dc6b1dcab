/**
 * Measures a set of points, several repetitions each: every repetition measures all the points
 * together, interleaved (see measure.ts), on fresh servers. A slow episode of the machine then
 * touches a few chunks of every point instead of every chunk of one point.
 */
import {
  MeasurementError,
  measureRepetitions,
  type RepetitionOutcome,
  type RepetitionRequest,
  type RepetitionResult,
} from './measure.js';
import { PinError, pinToOneCpu } from './pin.js';
import type { CheckPoint, MeasureSettings } from './check-points.js';

/** Fewer successful repetitions than this and a point is not judged: its spread means nothing. */
export const MIN_REPETITIONS = 3;

/** Measures one repetition of the requested points; an outcome per request, in order. */
export type RepetitionMeasurer = (requests: readonly RepetitionRequest[]) => Promise<RepetitionOutcome[]>;

export interface RoundRequest {
  points: readonly CheckPoint[];
  settings: MeasureSettings;
  repetitions: number;
  /** cpu-us of work to add to every answer of a point (sensitivity proofs); 0 normally. */
  extraCpuUs: (point: CheckPoint) => number;
  countInstructions: boolean;
  measure?: RepetitionMeasurer;
  onRepetition?: (repetition: number, total: number) => void;
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
  const measure = request.measure ?? measureRepetitions;
  const rounds = new Map<string, PointRound>(
    request.points.map((point) => [point.id, { point, results: [], failures: [] }]),
  );
  // Only real measurements need the pin; a failure to pin fails them all, with the reason.
  if (request.measure === undefined && request.settings.oneCpu) {
    try {
      pinToOneCpu();
    } catch (error) {
      if (!(error instanceof PinError)) throw error;
      for (const round of rounds.values()) round.failures.push(error.message);
      return rounds;
    }
  }
  const requests: RepetitionRequest[] = request.points.map((point) => ({
    point,
    settings: request.settings,
    extraCpuUs: request.extraCpuUs(point),
    countInstructions: request.countInstructions,
  }));
  for (let repetition = 0; repetition < request.repetitions; repetition++) {
    const outcomes = await measure(requests);
    requests.forEach((pointRequest, index) => {
      const round = rounds.get(pointRequest.point.id);
      const outcome = outcomes[index];
      if (round === undefined) return;
      if (outcome === undefined) round.failures.push('no outcome from the measurement');
      else if (outcome instanceof MeasurementError) round.failures.push(outcome.message);
      else round.results.push(outcome);
    });
    request.onRepetition?.(repetition + 1, request.repetitions);
  }
  return rounds;
}
