/**
 * The command clinic's --on-port runs once the profiled server listens: one load run, whose
 * outcome goes to a file (clinic ignores the command's exit status), then a line on stdout
 * that tells the profile runner the load is over. Internal to `npm run profile`.
 *
 * usage: node drive-load.js --port P --connections C --pipeline D --warmup S --duration S --result-file F
 */
import { writeFileSync } from 'node:fs';
import { fail, integerOption, numberOption, parseCommandLine, UsageError } from '../../lib/cli.js';
import { LOAD_FINISHED_EVENT, runLoadgen } from './judge-load.js';

const PROG = 'zenbench profile (load)';

const FLAGS = {
  port: { type: 'string' },
  connections: { type: 'string' },
  pipeline: { type: 'string' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  'result-file': { type: 'string' },
} as const;

async function main(): Promise<void> {
  let target;
  let resultFile;
  try {
    const { values } = parseCommandLine(process.argv.slice(2), FLAGS);
    resultFile = values['result-file'];
    if (typeof resultFile !== 'string' || resultFile === '') throw new UsageError('--result-file is required');
    target = {
      host: '127.0.0.1',
      port: integerOption(values, 'port', 0, 1, 65535),
      connections: integerOption(values, 'connections', 1, 1),
      pipeline: integerOption(values, 'pipeline', 1, 1),
      warmupS: numberOption(values, 'warmup', 0, 0),
      durationS: numberOption(values, 'duration', 1, 0.001),
    };
  } catch (error) {
    if (error instanceof UsageError) fail(PROG, error.message, 2);
    throw error;
  }
  const outcome = await runLoadgen(target);
  writeFileSync(resultFile, `${JSON.stringify(outcome)}\n`);
  process.stdout.write(`${JSON.stringify({ event: LOAD_FINISHED_EVENT })}\n`);
}

void main();
