/**
 * Whether the load the generator put on the profiled server makes the profile worth having.
 */
import type { LoadOutcome } from '../../loadgen/spawn-loadgen.js';
import type { LoadResult } from '../../loadgen/types.js';

/** The stdout line by which drive-load.js, run by clinic, says that the load is over. */
export const LOAD_FINISHED_EVENT = 'profile-load-finished';

/**
 * A profile is only worth having when the server was under load: no result or no answer at
 * all is fatal. Errors in a run that did answer (a reset at the very end, a timeout) are
 * worth a warning, not the loss of the profile.
 */
export function judgeLoad(outcome: LoadOutcome): { fatal: string | null; warning: string | null } {
  const lastLine = (text: string): string =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .pop() ?? '(no message)';
  if (outcome.timedOut) return { fatal: 'the load generator did not finish within its time limit', warning: null };
  if (outcome.result === null) {
    const how = outcome.signal ?? `exit ${outcome.exitCode}`;
    return { fatal: `the load generator gave no result (${how}): ${lastLine(outcome.stderrTail)}`, warning: null };
  }
  if (outcome.result.requests === 0) {
    return {
      fatal: 'the load generator got no answer from the server: the profile would show an idle server',
      warning: null,
    };
  }
  if (outcome.result.errorTotal > 0) {
    const kinds = Object.entries(outcome.result.errors)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return {
      fatal: null,
      warning: `the load run counted errors (${kinds}); the profile still shows the server under load`,
    };
  }
  return { fatal: null, warning: null };
}

export function describeLoad(result: LoadResult): string {
  return `${result.requests} answers in ${result.durationS} s (${Math.round(result.throughput)}/s), p99 ${result.latencyUs.p99} us, ${result.connections} connections x pipeline ${result.pipeline}`;
}
