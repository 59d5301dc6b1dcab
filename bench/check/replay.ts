/**
 * Replays the decision of saved check reports under another threshold policy: what would the
 * proofs have counted with another floor or multiple? Only stricter policies can be replayed
 * fully, since only the points that looked regressed were measured again; a point that would
 * need a confirmation the run never made is counted as unknown. A replay on the same runs
 * that chose the policy is a calibration, not a proof.
 */
import type { CheckReport } from './check.js';
import { compare, verdictFor, type ThresholdPolicy } from './decide.js';

export interface ReplayCount {
  policy: ThresholdPolicy;
  /** Runs with at least one confirmed regression. */
  failedRuns: number;
  /** Runs whose verdict needs a confirmation that was not measured. */
  unknownRuns: number;
  runs: number;
}

export function replayReports(
  reports: readonly CheckReport[],
  baselineValues: ReadonlyMap<string, readonly number[]>,
  policy: ThresholdPolicy,
): ReplayCount {
  let failedRuns = 0;
  let unknownRuns = 0;
  for (const report of reports) {
    let failed = false;
    let unknown = false;
    for (const point of report.points) {
      const baseline = baselineValues.get(point.id);
      if (baseline === undefined || point.values.length === 0) continue;
      const first = compare(baseline, point.values, policy);
      if (first.direction !== 'higher') continue;
      if (point.confirmationValues.length === 0) {
        unknown = true;
        continue;
      }
      if (verdictFor(first, compare(baseline, point.confirmationValues, policy)) === 'regression') failed = true;
    }
    if (failed) failedRuns++;
    else if (unknown) unknownRuns++;
  }
  return { policy, failedRuns, unknownRuns, runs: reports.length };
}
