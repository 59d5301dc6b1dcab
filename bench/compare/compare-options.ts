/** `npm run bench:compare` options. */
import { usageLines } from '../../lib/option-table.js';
import { SIGNIFICANCE_LEVEL } from './compare-results.js';

export const COMPARE_OPTIONS = {
  json: { kind: 'flag', flag: 'json', help: 'the comparison as JSON on stdout' },
} as const;

export const COMPARE_USAGE = `Usage: npm run bench:compare -- A.json B.json [options]

Shows run B beside run A (results files of npm run bench), the change at every point they
share, and whether it exceeds run-to-run noise. Noise test: B's and A's repetitions must not
overlap at all, with exact p = 2/C(m+n, m) <= ${SIGNIFICANCE_LEVEL}; that needs --repeat 3 or more in both runs.

${usageLines(COMPARE_OPTIONS)}`;
