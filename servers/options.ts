/** The server command line: `zenbench server <architecture> [options]`, parsed and checked. */
import { availableParallelism } from 'node:os';
import { architectureArgument, choiceOption, integerOption, parseCommandLine, UsageError } from '../lib/cli.js';
import type { Schedule, ServerOptions } from './shared/architecture.js';

export const SERVER_USAGE = `usage: npm run server -- <architecture> [options]

architectures: blocking, pool, cluster, async

options:
  --host ADDR            address to listen on (default 127.0.0.1)
  --port N               TCP port, 0 for a free one (default 1060)
  --workers N            pool threads or cluster processes (default: available parallelism)
  --schedule rr|none     cluster only: Node's round robin, or the OS spreads connections (default rr)
  --cpu-us N             cpu-us of fixed CPU work per question (default 0)
  --io-ms N              ms each question waits on a simulated external resource (default 0)
  --idle-timeout-s N     close a connection idle this long, 0 for never (default 30)
  --question-timeout-s N close a connection whose question is still unfinished this long after
                         its first byte, 0 for never (default 10)
  --verbose              log every connection on stderr (distorts measurements)
  -h, --help             this text

Once it accepts connections the server prints one JSON line on stdout:
  {"event":"listening","architecture":...,"host":...,"port":...,"pid":...}
SIGTERM, SIGINT, SIGHUP, SIGQUIT or SIGUSR2 stops it gracefully (exit 0) within 5 s, cutting off
what cannot finish by then; a second one stops it at once (exit 1). SIGUSR1 is ignored.`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  schedule: { type: 'string' },
  'cpu-us': { type: 'string' },
  'io-ms': { type: 'string' },
  'idle-timeout-s': { type: 'string' },
  'question-timeout-s': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ServerCommand {
  architecture: string;
  options: ServerOptions;
  help: boolean;
}

export function parseServerCommand(argv: string[], architectureNames: readonly string[]): ServerCommand {
  const { values, positionals } = parseCommandLine(argv, FLAGS, true);
  const help = values.help === true;
  const architecture = architectureArgument(positionals, architectureNames, help);
  const host = values.host === undefined ? '127.0.0.1' : String(values.host);
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  return {
    architecture,
    help,
    options: {
      host,
      port: integerOption(values, 'port', 1060, 0, 65535),
      workers: integerOption(values, 'workers', availableParallelism(), 1, 1024),
      schedule: choiceOption<Schedule>(values, 'schedule', 'rr', ['rr', 'none']),
      cpuUs: integerOption(values, 'cpu-us', 0, 0, 10_000_000),
      ioMs: integerOption(values, 'io-ms', 0, 0, 600_000),
      idleTimeoutS: integerOption(values, 'idle-timeout-s', 30, 0, 86_400),
      questionTimeoutS: integerOption(values, 'question-timeout-s', 10, 0, 86_400),
      verbose: values.verbose === true,
    },
  };
}
