/** The profile command line: `zenbench profile <architecture> [options]`, parsed and checked. */
import { architectureArgument, UsageError } from '../../lib/cli.js';
import { parseOptions, usageLines } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';
import type { ProtocolName } from '../../protocol/protocol-names.js';
import { SERVER_OPTIONS } from '../../servers/server-options.js';
import { PROFILES_DIR } from '../shared/paths.js';
import type { Schedule } from '../../servers/shared/architecture.js';
import type { ServiceTime } from '../../servers/shared/service-time.js';

export const PROFILE_TOOLS = ['cpuprof', 'flame', 'doctor', 'bubbleprof', 'heapprofiler'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

/** The blocking server answers one connection at a time; every further one would count as unanswered. */
const DEFAULT_BLOCKING_CONNECTIONS = 1;

// The profiler leaves the schedule to the server unless told: the same entry without a default.
const { default: _serverDefault, ...schedule } = SERVER_OPTIONS.schedule;

export const PROFILE_OPTIONS = {
  tool: {
    kind: 'choice',
    flag: 'tool',
    arg: 'T',
    choices: PROFILE_TOOLS,
    default: 'cpuprof',
    help: "cpuprof: Node's own --cpu-prof, .cpuprofile files (one per process and pool thread) and a table of the functions with the most self time; flame, doctor, bubbleprof, heapprofiler: Clinic.js, an HTML report",
  },
  protocol: { ...SERVER_OPTIONS.protocol, help: `server and load: ${SERVER_OPTIONS.protocol.help}` },
  cpuUs: { ...SERVER_OPTIONS.cpuUs, help: `server: ${SERVER_OPTIONS.cpuUs.help}` },
  ioMs: { ...SERVER_OPTIONS.ioMs, help: `server: ${SERVER_OPTIONS.ioMs.help}` },
  seed: { ...SERVER_OPTIONS.seed, help: `server: ${SERVER_OPTIONS.seed.help}` },
  workers: { ...SERVER_OPTIONS.workers, help: `server: ${SERVER_OPTIONS.workers.help}` },
  schedule: { ...schedule, defaultLabel: 'rr', help: `server: ${schedule.help}` },
  port: { ...SERVER_OPTIONS.port, default: 0, help: `server: ${SERVER_OPTIONS.port.help}` },
  node: {
    ...SERVER_OPTIONS.node,
    help: "server: the Node release line (one) it runs under, installed on first use into .cache/node; the profiler and the load stay on the host's Node",
  },
  connections: {
    kind: 'integer',
    flag: 'connections',
    arg: 'C',
    min: LOAD_OPTIONS.connections.min,
    max: LOAD_OPTIONS.connections.max,
    defaultLabel: `${LOAD_OPTIONS.connections.default}; ${DEFAULT_BLOCKING_CONNECTIONS} for blocking, which serves one at a time`,
    help: `load: ${LOAD_OPTIONS.connections.help}`,
  },
  pipeline: { ...LOAD_OPTIONS.pipeline, help: `load: ${LOAD_OPTIONS.pipeline.help}` },
  warmupS: { ...LOAD_OPTIONS.warmupS, help: `load: ${LOAD_OPTIONS.warmupS.help}` },
  durationS: { ...LOAD_OPTIONS.durationS, min: 0.1, default: 10, help: `load: ${LOAD_OPTIONS.durationS.help}` },
  top: {
    kind: 'integer',
    flag: 'top',
    arg: 'N',
    default: 15,
    min: 1,
    max: 1000,
    help: 'cpuprof: rows in the table of hottest functions',
  },
  outDir: {
    kind: 'text',
    flag: 'out',
    arg: 'DIR',
    defaultLabel: PROFILES_DIR,
    help: "put the run's report directory under DIR",
  },
} as const;

export function profileUsage(architectureNames: readonly string[]): string {
  return `usage: npm run profile -- <architecture> [options]

Profiles one zenbench server while the load generator drives it, and leaves a report.

architectures: ${architectureNames.join(', ')}

${usageLines(PROFILE_OPTIONS)}

Each run writes a fresh directory <tool>-<architecture>-<time> under --out and prints
its path. Exit status: 0 with a verified report, 1 when no usable report came out
(the tool failed, the server did not start, the load did not run), 2 for bad usage.`;
}

/** What the profiled server is started with; undefined leaves the server's own default. */
export interface ProfiledServerSettings {
  architecture: string;
  protocol: ProtocolName;
  cpuUs: ServiceTime;
  ioMs: ServiceTime;
  seed: number;
  workers: number | undefined;
  schedule: Schedule | undefined;
  /** 0: a free port, chosen by the system. */
  port: number;
  /** --node: the release line to run the server under; undefined: the host's Node. */
  nodeLine: number | undefined;
  /** The node binary of that line, once resolved (main.ts); the host's when absent. */
  execPath?: string;
}

/** The load the generator puts on the server while it is profiled. */
export interface ProfileLoadSettings {
  protocol: ProtocolName;
  connections: number;
  pipeline: number;
  warmupS: number;
  durationS: number;
}

export interface ProfileCommand {
  help: boolean;
  tool: ProfileTool;
  server: ProfiledServerSettings;
  load: ProfileLoadSettings;
  top: number;
  /** The directory each run's own report directory is created in; undefined for the default. */
  outDir: string | undefined;
}

/** One line, as a server runs under one Node. */
function nodeLineOf(lines: number[] | undefined): number | undefined {
  if (lines === undefined) return undefined;
  const [line, ...more] = lines;
  if (line === undefined || more.length > 0) throw new UsageError('--node takes one Node release line, e.g. 24');
  return line;
}

export function parseProfileCommand(argv: string[], architectureNames: readonly string[]): ProfileCommand {
  const { values, help, positionals } = parseOptions(PROFILE_OPTIONS, argv, true);
  const architecture = architectureArgument(positionals, architectureNames, help);
  const defaultConnections =
    architecture === 'blocking' ? DEFAULT_BLOCKING_CONNECTIONS : LOAD_OPTIONS.connections.default;
  return {
    help,
    tool: values.tool,
    server: {
      architecture,
      protocol: values.protocol,
      cpuUs: values.cpuUs,
      ioMs: values.ioMs,
      seed: values.seed,
      workers: values.workers,
      schedule: values.schedule,
      port: values.port,
      nodeLine: nodeLineOf(values.node),
    },
    load: {
      protocol: values.protocol,
      connections: values.connections ?? defaultConnections,
      pipeline: values.pipeline,
      warmupS: values.warmupS,
      durationS: values.durationS,
    },
    top: values.top,
    outDir: values.outDir,
  };
}
