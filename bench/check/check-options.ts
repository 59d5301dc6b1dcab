/** The command line of `npm run bench:check` and `npm run bench:baseline`. */
import { integerOption, numberOption, parseCommandLine, UsageError } from '../../lib/cli.js';

export const DEFAULT_BASELINE_PATH = 'results/baseline.json';

export const CHECK_USAGE = `usage: npm run bench:check -- [options]
       npm run bench:baseline -- [options]

Measures every architecture x {no work, --cpu-us 50} and compares each point's cost per
answer with the committed baseline. Exit 0: no regression; 1: regression confirmed;
2: the check could not run (missing or unreadable baseline, metric unavailable, a server
that could not be measured).

options:
  --record             record a new baseline instead of checking (what bench:baseline does)
  --baseline FILE      the baseline to compare with or write (default ${DEFAULT_BASELINE_PATH})
  --inject-pct P       sensitivity proof: add P% of each point's baseline cost as --cpu-us work
  --extra-cpu-us N     add N cpu-us of work to every answer of every point
  --repetitions N      repetitions, each a fresh server per point, all points interleaved (default 5)
  --json               print the report as one JSON object on stdout
  --quiet              no progress lines on stderr
  -h, --help           this text`;

const FLAGS = {
  record: { type: 'boolean' },
  baseline: { type: 'string' },
  'inject-pct': { type: 'string' },
  'extra-cpu-us': { type: 'string' },
  repetitions: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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

export function parseCheckCommand(argv: string[], defaultRepetitions: number): CheckCommand {
  const { values } = parseCommandLine(argv, FLAGS);
  const command: CheckCommand = {
    help: values.help === true,
    record: values.record === true,
    baselinePath: values.baseline === undefined ? DEFAULT_BASELINE_PATH : String(values.baseline),
    injectPct: numberOption(values, 'inject-pct', 0, 0, 1000),
    extraCpuUs: integerOption(values, 'extra-cpu-us', 0, 0, 100_000),
    repetitions: integerOption(values, 'repetitions', defaultRepetitions, 3, 100),
    json: values.json === true,
    quiet: values.quiet === true,
  };
  if (command.baselinePath.trim() === '') throw new UsageError('--baseline must not be empty');
  if (command.record && (command.injectPct > 0 || command.extraCpuUs > 0)) {
    throw new UsageError('--inject-pct and --extra-cpu-us are for checking, not for recording a baseline');
  }
  return command;
}
