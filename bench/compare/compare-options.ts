/** `npm run bench:compare` options. */
import { usageLines } from '../../lib/option-table.js';
import { NO_RUN_TO_RUN } from '../report/run-to-run.js';
import { SIGNIFICANCE_LEVEL } from './compare-results.js';

export const COMPARE_OPTIONS = {
  json: { kind: 'flag', flag: 'json', help: 'the comparison as JSON on stdout' },
  learn: {
    kind: 'text',
    flag: 'learn',
    arg: 'FILE',
    help: 'also write how far each class of points moved between these runs (two or more of one machine), for npm run bench -- --run-to-run FILE',
  },
  runToRun: {
    kind: 'text',
    flag: 'run-to-run',
    arg: 'FILE',
    help: `first derive each run's intervals again from its own repetitions and this spread (as bench --run-to-run; ${NO_RUN_TO_RUN}: the runs' own alone): judges a spread on runs it was not learned from`,
  },
} as const;

export const COMPARE_USAGE = `Usage: npm run bench:compare -- A.json B.json [options]
       npm run bench:compare -- RUN1.json RUN2.json RUN3.json ... [options]

With two results files of npm run bench: run B beside run A, the change at every point they
share, and whether it exceeds run-to-run noise. Noise test: B's and A's repetitions must not
overlap at all, with exact p = 2/C(m+n, m) <= ${SIGNIFICANCE_LEVEL}; that needs --repeat 3 or more in both runs.
With three or more: how far each pair agrees (medians inside the other's interval, different
clear winners) and the points that moved most: the reproducibility of the suite.

${usageLines(COMPARE_OPTIONS)}`;
