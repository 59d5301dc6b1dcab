/** The server command line: `zenbench server <architecture> [options]`, declared once. */
import { availableParallelism } from 'node:os';
import { architectureArgument } from '../lib/cli.js';
import { parseOptions, usageLines } from '../lib/option-table.js';
import { NODE_OPTION } from '../lib/node-runtimes.js';
import { PROTOCOL_OPTION } from '../protocol/protocol-names.js';
import type { ServerOptions } from './shared/architecture.js';
import { FAULT_SYNTAX, parseFault } from './shared/fault.js';
import { CPU_US, DEFAULT_SEED, IO_MS, serviceTimeOption } from './shared/service-time.js';

/** What every architecture is started with; the profiler and the launcher reuse these entries. */
export const SERVER_OPTIONS = {
  host: { kind: 'text', flag: 'host', arg: 'ADDR', default: '127.0.0.1', help: 'address to listen on' },
  port: {
    kind: 'integer',
    flag: 'port',
    arg: 'N',
    default: 1060,
    min: 0,
    max: 65535,
    help: 'TCP port, 0 for a free one',
  },
  protocol: {
    ...PROTOCOL_OPTION,
    help: "zen's own framing on TCP, or zen over HTTP/1.1 (POST / with the question as the body)",
  },
  workers: {
    kind: 'integer',
    flag: 'workers',
    arg: 'N',
    min: 1,
    max: 1024,
    defaultLabel: 'available parallelism',
    help: 'pool threads, or processes (cluster, cluster-pool, reuseport), or the cap on live per-connection processes (inetd)',
  },
  threads: {
    kind: 'integer',
    flag: 'threads',
    arg: 'N',
    default: 2,
    min: 1,
    max: 64,
    help: 'cluster-pool only: pool threads in each worker process',
  },
  schedule: {
    kind: 'choice',
    flag: 'schedule',
    arg: 'rr|none',
    choices: ['rr', 'none'],
    default: 'rr',
    help: "cluster only: Node's round robin, or the OS spreads connections",
  },
  cpuUs: serviceTimeOption(
    CPU_US,
    'cpu-us of CPU work per question: a fixed number, or a distribution (exp:MEAN, exponential; mix:P%:A:B, P% of the questions cost A and the others B)',
  ),
  ioMs: serviceTimeOption(
    IO_MS,
    'ms each question waits on a simulated external resource: a fixed number or a distribution, as for --cpu-us',
  ),
  seed: {
    kind: 'integer',
    flag: 'seed',
    arg: 'N',
    default: DEFAULT_SEED,
    min: 0,
    max: 4_294_967_295,
    help: 'the seed of the --cpu-us and --io-ms draws; each thread that works out questions draws from a stream of its own derived from it',
  },
  idleTimeoutS: {
    kind: 'integer',
    flag: 'idle-timeout-s',
    arg: 'N',
    default: 30,
    min: 0,
    max: 86_400,
    help: 'close a connection idle this long, 0 for never',
  },
  questionTimeoutS: {
    kind: 'integer',
    flag: 'question-timeout-s',
    arg: 'N',
    default: 10,
    min: 0,
    max: 86_400,
    help: 'close a connection whose question is still unfinished this long after its first byte, 0 for never',
  },
  fault: {
    kind: 'text',
    flag: 'fault',
    arg: 'F',
    default: 'none',
    help: `a deliberate defect, for the fault suite: ${FAULT_SYNTAX}; crash:N makes one question in N (per server process) throw an uncaught error in the thread working it out, stall:N:MS makes one in N block its thread for MS ms`,
  },
  verbose: { kind: 'flag', flag: 'verbose', help: 'log every connection on stderr (distorts measurements)' },
  node: {
    ...NODE_OPTION,
    arg: 'LINE',
    help: 'run under this Node release line (one), installed on first use into .cache/node from the npm registry: the command starts the server under it and passes signals and the exit code on',
  },
} as const;

export function serverUsage(architectureNames: readonly string[]): string {
  return `usage: npm run server -- <architecture> [options]

architectures: ${architectureNames.join(', ')}

options:
${usageLines(SERVER_OPTIONS)}

Once it accepts connections the server prints one JSON line on stdout:
  {"event":"listening","architecture":...,"host":...,"port":...,"pid":...}
SIGTERM, SIGINT, SIGHUP, SIGQUIT or SIGUSR2 stops it gracefully (exit 0) within 5 s, cutting off
what cannot finish by then; a second one stops it at once (exit 1). SIGUSR1 is ignored.`;
}

export interface ServerCommand {
  architecture: string;
  options: ServerOptions;
  help: boolean;
}

export function parseServerCommand(argv: string[], architectureNames: readonly string[]): ServerCommand {
  const { values, help, positionals } = parseOptions(SERVER_OPTIONS, argv, true);
  const architecture = architectureArgument(positionals, architectureNames, help);
  return {
    architecture,
    help,
    options: { ...values, workers: values.workers ?? availableParallelism(), fault: parseFault(values.fault) },
  };
}
