/** The profile command line: `zenbench profile <architecture> [options]`, parsed and checked. */
import {
  architectureArgument,
  choiceOption,
  integerOption,
  numberOption,
  parseCommandLine,
  UsageError,
} from '../../lib/cli.js';
import type { Schedule } from '../../servers/shared/architecture.js';

export const PROFILE_TOOLS = ['cpuprof', 'flame', 'doctor', 'bubbleprof', 'heapprofiler'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

const DEFAULT_DURATION_S = 10;
const DEFAULT_WARMUP_S = 1;
const DEFAULT_CONNECTIONS = 16;
/** The blocking server answers one connection at a time; every further one would count as unanswered. */
const DEFAULT_BLOCKING_CONNECTIONS = 1;
const DEFAULT_TOP = 15;

export const PROFILE_USAGE = `usage: npm run profile -- <architecture> [options]

Profiles one zenbench server while the load generator drives it, and leaves a report.

architectures: blocking, pool, cluster, async

  --tool T            cpuprof | flame | doctor | bubbleprof | heapprofiler (default cpuprof)
                        cpuprof: Node's own --cpu-prof; .cpuprofile files (one per process and
                          pool thread) and a table of the functions with the most self time
                        flame, doctor, bubbleprof, heapprofiler: Clinic.js; an HTML report
  --cpu-us N          server: cpu-us of fixed CPU work per question (default 0)
  --io-ms N           server: ms each question waits on a simulated resource (default 0)
  --workers N         server: pool threads or cluster processes (default: available parallelism)
  --schedule rr|none  server, cluster only: who spreads the connections (default rr)
  --port N            server: TCP port (default 0: a free one)
  --connections C     load: connections (default ${DEFAULT_CONNECTIONS}; ${DEFAULT_BLOCKING_CONNECTIONS} for blocking, which serves one at a time)
  --pipeline D        load: questions in flight per connection (default 1)
  --warmup S          load: seconds before the measured window (default ${DEFAULT_WARMUP_S})
  --duration S        load: seconds measured (default ${DEFAULT_DURATION_S})
  --top N             cpuprof: rows in the table of hottest functions (default ${DEFAULT_TOP})
  --out DIR           put the run's report directory under DIR (default results/profiles)
  -h, --help          this text

Each run writes a fresh directory <tool>-<architecture>-<time> under --out and prints
its path. Exit status: 0 with a verified report, 1 when no usable report came out
(the tool failed, the server did not start, the load did not run), 2 for bad usage.`;

const FLAGS = {
  tool: { type: 'string' },
  'cpu-us': { type: 'string' },
  'io-ms': { type: 'string' },
  workers: { type: 'string' },
  schedule: { type: 'string' },
  port: { type: 'string' },
  connections: { type: 'string' },
  pipeline: { type: 'string' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  top: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What the profiled server is started with; undefined leaves the server's own default. */
export interface ProfiledServerSettings {
  architecture: string;
  cpuUs: number;
  ioMs: number;
  workers: number | undefined;
  schedule: Schedule | undefined;
  /** 0: a free port, chosen by the system. */
  port: number;
}

/** The load the generator puts on the server while it is profiled. */
export interface ProfileLoadSettings {
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

export function parseProfileCommand(argv: string[], architectureNames: readonly string[]): ProfileCommand {
  const { values, positionals } = parseCommandLine(argv, FLAGS, true);
  const help = values.help === true;
  const architecture = architectureArgument(positionals, architectureNames, help);
  const out = values.out === undefined ? undefined : String(values.out);
  if (out !== undefined && out.trim() === '') throw new UsageError('--out must not be empty');

  const defaultConnections = architecture === 'blocking' ? DEFAULT_BLOCKING_CONNECTIONS : DEFAULT_CONNECTIONS;
  return {
    help,
    tool: choiceOption<ProfileTool>(values, 'tool', 'cpuprof', PROFILE_TOOLS),
    server: {
      architecture,
      cpuUs: integerOption(values, 'cpu-us', 0, 0, 10_000_000),
      ioMs: integerOption(values, 'io-ms', 0, 0, 600_000),
      workers: values.workers === undefined ? undefined : integerOption(values, 'workers', 1, 1, 1024),
      schedule:
        values.schedule === undefined ? undefined : choiceOption<Schedule>(values, 'schedule', 'rr', ['rr', 'none']),
      port: integerOption(values, 'port', 0, 0, 65535),
    },
    load: {
      connections: integerOption(values, 'connections', defaultConnections, 1, 10_000),
      pipeline: integerOption(values, 'pipeline', 1, 1, 1024),
      warmupS: numberOption(values, 'warmup', DEFAULT_WARMUP_S, 0, 3600),
      durationS: numberOption(values, 'duration', DEFAULT_DURATION_S, 0.1, 3600),
    },
    top: integerOption(values, 'top', DEFAULT_TOP, 1, 1000),
    outDir: out,
  };
}
