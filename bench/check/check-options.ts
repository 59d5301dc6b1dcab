/** The command line of `npm run bench:check` and `npm run bench:baseline`, declared once. */
import { UsageError } from '../../lib/cli.js';
import { parseOptions, usageLines } from '../../lib/option-table.js';
import { BASELINE_PATH } from '../shared/paths.js';
import { CHECK_SETTINGS } from './check-points.js';

export const CHECK_OPTIONS = {
  record: {
    kind: 'flag',
    flag: 'record',
    help: 'record a new baseline instead of checking (what bench:baseline does)',
  },
  baselinePath: {
    kind: 'text',
    flag: 'baseline',
    arg: 'FILE',
    default: BASELINE_PATH,
    help: 'the baseline to compare with or write',
  },
  injectPct: {
    kind: 'number',
    flag: 'inject-pct',
    arg: 'P',
    default: 0,
    min: 0,
    max: 1000,
    help: "sensitivity proof: add P% of each point's baseline cost as --cpu-us work",
  },
  extraCpuUs: {
    kind: 'integer',
    flag: 'extra-cpu-us',
    arg: 'N',
    default: 0,
    min: 0,
    max: 100_000,
    help: 'add N cpu-us of work to every answer of every point',
  },
  repetitions: {
    kind: 'integer',
    flag: 'repetitions',
    arg: 'N',
    default: CHECK_SETTINGS.repetitions,
    min: 3,
    max: 100,
    help: 'repetitions, each a fresh server per point, all points interleaved',
  },
  json: { kind: 'flag', flag: 'json', help: 'print the report as one JSON object on stdout' },
  quiet: { kind: 'flag', flag: 'quiet', help: 'no progress lines on stderr' },
} as const;

export const CHECK_USAGE = `usage: npm run bench:check -- [options]
       npm run bench:baseline -- [options]

Measures every architecture x {no work, --cpu-us 50} and compares each point's cost per
answer with the committed baseline. Exit 0: no regression; 1: regression confirmed;
2: the check could not run (missing or unreadable baseline, metric unavailable, a server
that could not be measured).

${usageLines(CHECK_OPTIONS)}`;

export interface CheckCommand {
  help: boolean;
  record: boolean;
  baselinePath: string;
  injectPct: number;
  extraCpuUs: number;
  repetitions: number;
  json: boolean;
  quiet: boolean;
}

export function parseCheckCommand(argv: string[]): CheckCommand {
  const { values, help } = parseOptions(CHECK_OPTIONS, argv);
  if (values.record && (values.injectPct > 0 || values.extraCpuUs > 0)) {
    throw new UsageError('--inject-pct and --extra-cpu-us are for checking, not for recording a baseline');
  }
  return { ...values, help };
}
