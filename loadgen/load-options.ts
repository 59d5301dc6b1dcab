/**
 * A load run's options, declared once (lib/option-table.ts): their defaults and limits, the
 * checks that refuse a run that makes no sense or that would aim at another machine without
 * being told to, and the command line of `npm run load`. The limits keep a run finite and its
 * buffers small, and are generous for any real use; the bench, the profiler and the capacity
 * benchmark take their load options from these entries.
 */
import { isIP } from 'node:net';
import { UsageError } from '../lib/cli.js';
import { checkValue, type OptionValues } from '../lib/option-table.js';
import { PROTOCOL_OPTION } from '../protocol/protocol-names.js';
import type { LoadOptions } from './types.js';

export const LOAD_OPTIONS = {
  host: {
    kind: 'text',
    flag: 'host',
    arg: 'H',
    default: '127.0.0.1',
    help: 'server address; loopback only unless --allow-remote',
  },
  port: { kind: 'integer', flag: 'port', arg: 'P', default: 1060, min: 1, max: 65535, help: 'server port' },
  mode: {
    kind: 'choice',
    flag: 'mode',
    arg: 'M',
    choices: ['closed', 'conversation', 'open'],
    default: 'closed',
    help: 'closed: persistent connections, --pipeline questions in flight each; conversation: connect, ask --questions one at a time, close, repeat; open: --rate questions/s on a fixed schedule, latency counted from when each question was due (coordinated omission corrected)',
  },
  protocol: {
    ...PROTOCOL_OPTION,
    help: "tcp: zen's own framing; http: each question a keep-alive HTTP/1.1 POST /, the answer the body of a 200 response",
  },
  connections: {
    kind: 'integer',
    flag: 'connections',
    arg: 'C',
    default: 16,
    min: 1,
    max: 10_000,
    help: 'connections, or virtual users in conversation mode',
  },
  pipeline: {
    kind: 'integer',
    flag: 'pipeline',
    arg: 'D',
    default: 1,
    min: 1,
    max: 1024,
    help: 'questions in flight per connection, closed and open modes',
  },
  questions: {
    kind: 'integer',
    flag: 'questions',
    arg: 'K',
    default: 3,
    min: 1,
    max: 1_000_000,
    help: 'questions per conversation, conversation mode',
  },
  rate: {
    kind: 'number',
    flag: 'rate',
    arg: 'R',
    default: 1000,
    min: 0.001,
    max: 10_000_000,
    help: 'questions per second over all connections, open mode',
  },
  arrivals: {
    kind: 'choice',
    flag: 'arrivals',
    arg: 'A',
    choices: ['uniform', 'poisson'],
    default: 'uniform',
    help: 'open mode: questions evenly spaced, or Poisson arrivals (exponential gaps) of the same rate',
  },
  seed: {
    kind: 'integer',
    flag: 'seed',
    arg: 'N',
    default: 1,
    min: 0,
    max: 4_294_967_295,
    help: 'open mode, Poisson arrivals: the seed of the gaps; the same seed repeats the schedule',
  },
  warmupS: {
    kind: 'number',
    flag: 'warmup',
    arg: 'S',
    default: 1,
    min: 0,
    max: 3600,
    help: 'seconds of load before measuring starts',
  },
  durationS: {
    kind: 'number',
    flag: 'duration',
    arg: 'S',
    default: 5,
    min: 0.001,
    max: 3600,
    help: 'seconds measured',
  },
  requests: {
    kind: 'integer',
    flag: 'requests',
    arg: 'N',
    default: 0,
    min: 0,
    defaultLabel: '0: no limit',
    help: 'stop after N measured answers, if sooner than --duration',
  },
  timeoutMs: {
    kind: 'integer',
    flag: 'timeout-ms',
    arg: 'T',
    default: 5000,
    min: 1,
    max: 600_000,
    help: 'an answer later than this is counted as a timeout',
  },
  threads: {
    kind: 'integer',
    flag: 'threads',
    arg: 'N',
    default: 1,
    min: 1,
    max: 64,
    help: 'worker threads the connections are spread over',
  },
  allowRemote: { kind: 'flag', flag: 'allow-remote', help: 'allow a target that is not a loopback address' },
} as const;

/** `npm run load`: the run's options, the instrument, how to print its result and where to log its intervals. */
export const LOAD_COMMAND_OPTIONS = {
  ...LOAD_OPTIONS,
  instrument: {
    kind: 'choice',
    flag: 'instrument',
    arg: 'I',
    choices: ['zenbench', 'autocannon'],
    default: 'zenbench',
    help: 'the load generator: ours, or autocannon (closed mode over HTTP only, no --interval-log)',
  },
  intervalLog: {
    kind: 'text',
    flag: 'interval-log',
    arg: 'FILE',
    help: 'also write the latency of each timeline interval to FILE as an HdrHistogram interval log',
  },
  json: { kind: 'flag', flag: 'json', help: 'print exactly one JSON object (the result) on stdout, nothing else' },
} as const;

// The table and the library's contract (types.ts) must describe the same options.
const TABLE_MATCHES_CONTRACT: OptionValues<typeof LOAD_OPTIONS> extends LoadOptions ? true : never = true;
void TABLE_MATCHES_CONTRACT;

export const LOAD_MODES = LOAD_OPTIONS.mode.choices;

export const DEFAULT_LOAD_OPTIONS: Readonly<LoadOptions> = Object.freeze(
  Object.fromEntries(
    Object.entries(LOAD_OPTIONS).map(([key, spec]) => [key, spec.kind === 'flag' ? false : spec.default]),
  ) as unknown as LoadOptions,
);

/** A load request that cannot be run as given. */
export class LoadOptionsError extends Error {}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost') return true;
  const unbracketed = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  const family = isIP(unbracketed);
  if (family === 4) return unbracketed.split('.')[0] === '127';
  if (family === 6) {
    if (unbracketed === '::1' || unbracketed === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(unbracketed);
    return mapped !== null && mapped[1] !== undefined && isLoopbackHost(mapped[1]);
  }
  return false;
}

/** Fills in defaults and throws a LoadOptionsError for anything that cannot be run. */
export function resolveLoadOptions(options: Partial<LoadOptions>): LoadOptions {
  const resolved: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...stripUndefined(options) };
  try {
    for (const [key, spec] of Object.entries(LOAD_OPTIONS)) checkValue(spec, resolved[key as keyof LoadOptions], key);
  } catch (error) {
    if (error instanceof UsageError) throw new LoadOptionsError(error.message);
    throw error;
  }
  if (resolved.threads > resolved.connections) {
    throw new LoadOptionsError(`threads (${resolved.threads}) cannot exceed connections (${resolved.connections})`);
  }
  if (!resolved.allowRemote && !isLoopbackHost(resolved.host)) {
    throw new LoadOptionsError(
      `${resolved.host} is not a loopback address; pass allowRemote (--allow-remote) to load another machine`,
    );
  }
  return resolved;
}

function stripUndefined(options: Partial<LoadOptions>): Partial<LoadOptions> {
  const copy: Partial<LoadOptions> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (copy as Record<string, unknown>)[key] = value;
  }
  return copy;
}
