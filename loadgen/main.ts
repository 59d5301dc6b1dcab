/** `npm run load -- --host H --port P [options]`: one load run, printed for people or as JSON. */
import { fail, parseOrExit } from '../lib/cli.js';
import { parseOptions, usageLines } from '../lib/option-table.js';
import { runLoad } from './index.js';
import { LOAD_COMMAND_OPTIONS, LoadOptionsError } from './load-options.js';
import { formatSummary, formatWarnings } from './format-result.js';
import type { LoadOptions } from './types.js';

const PROG = 'zenbench load';
const EXIT_GRACE_MS = 2000;

export const LOAD_USAGE = `usage: npm run load -- --host H --port P [options]

Drives a zen server and reports throughput, latency percentiles and errors.
Exit status: 0 when the run had no errors, 1 when it had some, 2 for bad usage.

${usageLines(LOAD_COMMAND_OPTIONS)}`;

interface LoadCommand {
  help: boolean;
  json: boolean;
  options: LoadOptions;
}

export function parseLoadCommand(argv: string[]): LoadCommand {
  const { values, help } = parseOptions(LOAD_COMMAND_OPTIONS, argv);
  const { json, ...options } = values;
  return { help, json, options };
}

async function main(): Promise<void> {
  const command: LoadCommand = parseOrExit(PROG, () => parseLoadCommand(process.argv.slice(2)));
  if (command.help) {
    process.stdout.write(`${LOAD_USAGE}\n`);
    return;
  }
  let result;
  try {
    result = await runLoad(command.options);
  } catch (error) {
    if (error instanceof LoadOptionsError) fail(PROG, error.message, 2);
    throw error;
  }
  if (command.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(formatSummary(result));
  for (const warning of formatWarnings(result)) process.stderr.write(`${PROG}: ${warning}\n`);
  process.exitCode = result.errorTotal > 0 ? 1 : 0;
  // Every socket, timer and thread is closed by now, so the process ends by itself; should a
  // handle linger anyway, the result is out and nothing is left to wait for.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

void main();
