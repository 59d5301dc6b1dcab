/** `npm run load -- --host H --port P [options]`: one load run, printed for people or as JSON. */
import {
  choiceOption,
  fail,
  integerOption,
  numberOption,
  parseCommandLine,
  parseOrExit,
  UsageError,
} from '../lib/cli.js';
import { runLoad } from './index.js';
import { DEFAULT_LOAD_OPTIONS, LIMITS, LOAD_MODES, LoadOptionsError } from './load-options.js';
import { formatSummary, formatWarnings } from './format-result.js';
import type { LoadOptions } from './types.js';

const PROG = 'zenbench load';
const EXIT_GRACE_MS = 2000;
const D = DEFAULT_LOAD_OPTIONS;

export const LOAD_USAGE = `usage: npm run load -- --host H --port P [options]

Drives a zen server and reports throughput, latency percentiles and errors.
Exit status: 0 when the run had no errors, 1 when it had some, 2 for bad usage.

  --host H            server address (default ${D.host}); loopback only unless --allow-remote
  --port P            server port (default ${D.port})
  --mode M            closed | conversation | open (default ${D.mode})
                        closed: persistent connections, --pipeline questions in flight each
                        conversation: connect, ask --questions one at a time, close, repeat
                        open: --rate questions/s on a fixed schedule; latency counted from
                        when each question was due (coordinated omission corrected)
  --connections C     connections, or virtual users in conversation mode (default ${D.connections})
  --pipeline D        questions in flight per connection, closed and open modes (default ${D.pipeline})
  --questions K       questions per conversation, conversation mode (default ${D.questions})
  --rate R            questions per second over all connections, open mode (default ${D.rate})
  --warmup S          seconds of load before measuring starts (default ${D.warmupS})
  --duration S        seconds measured (default ${D.durationS})
  --requests N        stop after N measured answers, if sooner than --duration (default: no limit)
  --timeout-ms T      an answer later than this is counted as a timeout (default ${D.timeoutMs})
  --threads N         worker threads the connections are spread over (default ${D.threads})
  --allow-remote      allow a target that is not a loopback address
  --json              print exactly one JSON object (the result) on stdout, nothing else
  --help              show this help`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  mode: { type: 'string' },
  connections: { type: 'string' },
  pipeline: { type: 'string' },
  questions: { type: 'string' },
  rate: { type: 'string' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  requests: { type: 'string' },
  'timeout-ms': { type: 'string' },
  threads: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

interface LoadCommand {
  help: boolean;
  json: boolean;
  options: LoadOptions;
}

export function parseLoadCommand(argv: string[]): LoadCommand {
  const { values } = parseCommandLine(argv, OPTIONS);
  const host = values.host === undefined ? D.host : String(values.host);
  if (host === '') throw new UsageError('--host must not be empty');
  return {
    help: values.help === true,
    json: values.json === true,
    options: {
      host,
      port: integerOption(values, 'port', D.port, 1, 65535),
      mode: choiceOption(values, 'mode', D.mode, LOAD_MODES),
      connections: integerOption(values, 'connections', D.connections, 1, LIMITS.connections),
      pipeline: integerOption(values, 'pipeline', D.pipeline, 1, LIMITS.pipeline),
      questions: integerOption(values, 'questions', D.questions, 1, LIMITS.questions),
      rate: numberOption(values, 'rate', D.rate, 0.001, LIMITS.rate),
      warmupS: numberOption(values, 'warmup', D.warmupS, 0, LIMITS.warmupS),
      durationS: numberOption(values, 'duration', D.durationS, 0.001, LIMITS.durationS),
      requests: integerOption(values, 'requests', D.requests, 0),
      timeoutMs: integerOption(values, 'timeout-ms', D.timeoutMs, 1, LIMITS.timeoutMs),
      threads: integerOption(values, 'threads', D.threads, 1, LIMITS.threads),
      allowRemote: values['allow-remote'] === true,
    },
  };
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
