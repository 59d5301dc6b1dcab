/**
 * The command clinic's --on-port runs once the profiled server listens: one load run, whose
 * outcome goes to a file (clinic ignores the command's exit status), then a line on stdout
 * that tells the profile runner the load is over. Internal to `npm run profile`.
 *
 * usage: node drive-load.js --port P [the load generator's options] --result-file F
 */
import { writeFileSync } from 'node:fs';
import { fail, parseOrExit, UsageError } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';
import { spawnLoadgen } from '../../loadgen/spawn-loadgen.js';
import { LOAD_FINISHED_EVENT } from './judge-load.js';

const PROG = 'zenbench profile (load)';

/** The load generator's own options, and where to leave the outcome. */
const DRIVE_LOAD_OPTIONS = {
  ...LOAD_OPTIONS,
  resultFile: { kind: 'text', flag: 'result-file', arg: 'F', help: 'the file the load outcome is written to' },
} as const;

async function main(): Promise<void> {
  const { resultFile, ...load } = parseOrExit(PROG, () => {
    const { values } = parseOptions(DRIVE_LOAD_OPTIONS, process.argv.slice(2));
    if (values.resultFile === undefined) throw new UsageError('--result-file is required');
    return { ...values, resultFile: values.resultFile };
  });
  const outcome = await spawnLoadgen(load);
  writeFileSync(resultFile, `${JSON.stringify(outcome)}\n`);
  process.stdout.write(`${JSON.stringify({ event: LOAD_FINISHED_EVENT })}\n`);
}

main().catch((error: unknown) => fail(PROG, error instanceof Error ? error.message : String(error), 1));
