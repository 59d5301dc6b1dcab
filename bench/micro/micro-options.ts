/** `npm run bench:micro` options. */
import { usageLines } from '../../lib/option-table.js';

export const MICRO_OPTIONS = {
  timeMs: {
    kind: 'integer',
    flag: 'time',
    arg: 'MS',
    default: 500,
    min: 10,
    max: 60_000,
    help: 'time budget per task in milliseconds',
  },
  json: { kind: 'flag', flag: 'json', help: 'results as JSON on stdout instead of a table' },
} as const;

export const MICRO_USAGE = `Usage: npm run bench:micro -- [options]

${usageLines(MICRO_OPTIONS)}`;
