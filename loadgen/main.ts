/** `npm run load -- --host H --port P [options]`: one load run, printed for people or as JSON. */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { fail, parseOrExit } from '../lib/cli.js';
import { NO_INTERVALS } from './autocannon-load.js';
import { parseOptions, usageLines } from '../lib/option-table.js';
import { runLoadWith, type LoadRequest } from './instruments.js';
import { formatIntervalLog } from './interval-log.js';
import { LOAD_COMMAND_OPTIONS, LoadOptionsError } from './load-options.js';
import { formatSummary, formatWarnings } from './format-result.js';

const PROG = 'zenbench load';
const EXIT_GRACE_MS = 2000;

export const LOAD_USAGE = `usage: npm run load -- --host H --port P [options]

Drives a zen server and reports throughput, latency percentiles and errors.
Exit status: 0 when the run had no errors, 1 when it had some, 2 for bad usage.

${usageLines(LOAD_COMMAND_OPTIONS)}`;

interface LoadCommand {
  help: boolean;
  json: boolean;
  /** Where the interval log goes, or undefined for none. */
  intervalLog: string | undefined;
  options: LoadRequest;
}

export function parseLoadCommand(argv: string[]): LoadCommand {
  const { values, help } = parseOptions(LOAD_COMMAND_OPTIONS, argv);
  const { json, intervalLog, ...options } = values;
  return { help, json, intervalLog, options: { ...options, keepIntervals: intervalLog !== undefined } };
}

/** Creates (or empties) the log's file before the run, so that a bad path costs no load run. */
function claimIntervalLog(file: string): void {
  try {
    closeSync(openSync(file, 'w'));
  } catch (error) {
    fail(PROG, `cannot write the interval log ${file}: ${(error as Error).message}; name a writable file`, 2);
  }
}

async function main(): Promise<void> {
  const command: LoadCommand = parseOrExit(PROG, () => parseLoadCommand(process.argv.slice(2)));
  if (command.help) {
    process.stdout.write(`${LOAD_USAGE}\n`);
    return;
  }
  if (command.intervalLog !== undefined && command.options.instrument === 'autocannon') {
    fail(PROG, NO_INTERVALS, 2);
  }
  if (command.intervalLog !== undefined) claimIntervalLog(command.intervalLog);
  let result;
  try {
    result = await runLoadWith(command.options, {});
  } catch (error) {
    if (error instanceof LoadOptionsError) fail(PROG, error.message, 2);
    throw error;
  }
  const { intervals, ...shown } = result;
  if (command.intervalLog !== undefined && intervals !== undefined) {
    writeFileSync(
      command.intervalLog,
      formatIntervalLog(intervals, [`zenbench load ${process.argv.slice(2).join(' ')}`]),
    );
  }
  // The intervals are in the log; the JSON result stays the size it was.
  if (command.json) process.stdout.write(`${JSON.stringify(shown)}\n`);
  else process.stdout.write(formatSummary(result));
  for (const warning of formatWarnings(result)) process.stderr.write(`${PROG}: ${warning}\n`);
  process.exitCode = result.errorTotal > 0 ? 1 : 0;
  // Every socket, timer and thread is closed by now, so the process ends by itself; should a
  // handle linger anyway, the result is out and nothing is left to wait for.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

void main();
