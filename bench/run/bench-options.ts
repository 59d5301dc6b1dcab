/**
 * `npm run bench` options: a suite, narrowed by filters.
 */
import { integerOption, numberOption, parseCommandLine, UsageError } from '../../lib/cli.js';
import {
  PATTERNS,
  SUITES,
  WORKLOADS,
  findSuite,
  type Suite,
  type TrafficPattern,
  type Workload,
} from '../shared/scenarios.js';

export interface BenchCommandOptions {
  help: boolean;
  suite: Suite;
  architectures: string[];
  workloads: Workload[];
  patterns: TrafficPattern[];
  connections: number[];
  warmupS: number;
  durationS: number;
  repeat: number;
  workers: number | undefined;
  pin: boolean;
  json: boolean;
  quiet: boolean;
  outDir: string;
}

export function benchUsage(architectures: readonly string[]): string {
  return `Usage: npm run bench -- [options]

Runs the architectures under each workload and traffic pattern, and writes
results/<UTC timestamp>.json, results/latest.{json,md,html} and results/charts/*.svg.

  --suite NAME         ${SUITES.map((suite) => suite.name).join(' | ')} (default: default)
${SUITES.map((suite) => `                         ${suite.name}: ${suite.description}`).join('\n')}
  --servers LIST       architectures, comma-separated (default: all: ${architectures.join(',')})
  --workloads LIST     ${WORKLOADS.map((workload) => workload.name).join(',')} (default: the suite's)
  --patterns LIST      ${PATTERNS.map((pattern) => pattern.name).join(',')} (default: the suite's)
  --connections LIST   concurrency levels, e.g. 1,16,64 (default: the suite's)
  --duration S         measured seconds per point (default: the suite's)
  --warmup S           warm-up seconds per point, not measured (default: the suite's)
  --repeat N           measure every point N times; medians are reported, the spread
                       feeds bench:compare's noise test (default 1)
  --workers N          workers for pool and cluster (default: each server's own, the core count)
  --pin                with taskset: server on CPU 0, load generator on CPU 1 (recorded)
  --json               print the results JSON on stdout instead of tables; no progress bar
  --quiet              print nothing but errors; no progress bar
  --out DIR            where results go (default: results)
  -h, --help           this text`;
}

function listOption(values: Record<string, string | boolean | undefined>, name: string): string[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const items = String(raw)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new UsageError(`--${name} needs at least one value`);
  return [...new Set(items)];
}

function pick<T extends { name: string }>(name: string, table: readonly T[], wanted: readonly string[]): T[] {
  return wanted.map((item) => {
    const found = table.find((entry) => entry.name === item);
    if (found === undefined) {
      throw new UsageError(`--${name}: unknown '${item}' (known: ${table.map((entry) => entry.name).join(', ')})`);
    }
    return found;
  });
}

export function parseBenchOptions(argv: string[], knownArchitectures: readonly string[]): BenchCommandOptions {
  const { values } = parseCommandLine(argv, {
    suite: { type: 'string' },
    servers: { type: 'string' },
    workloads: { type: 'string' },
    patterns: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    repeat: { type: 'string' },
    workers: { type: 'string' },
    pin: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const suiteName = String(values.suite ?? 'default');
  const suite = findSuite(suiteName);
  if (suite === undefined) {
    throw new UsageError(`--suite must be one of ${SUITES.map((entry) => entry.name).join(', ')} (got '${suiteName}')`);
  }
  const architectures = listOption(values, 'servers') ?? [...knownArchitectures];
  for (const architecture of architectures) {
    if (!knownArchitectures.includes(architecture)) {
      throw new UsageError(`--servers: unknown '${architecture}' (known: ${knownArchitectures.join(', ')})`);
    }
  }
  const connections = (listOption(values, 'connections') ?? suite.connections.map(String)).map((text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > 10_000) {
      throw new UsageError(`--connections: '${text}' is not a whole number from 1 to 10000`);
    }
    return value;
  });
  const workers = values.workers === undefined ? undefined : integerOption(values, 'workers', 1, 1, 256);
  return {
    help: values.help === true,
    suite,
    architectures,
    workloads: pick('workloads', WORKLOADS, listOption(values, 'workloads') ?? suite.workloads),
    patterns: pick('patterns', PATTERNS, listOption(values, 'patterns') ?? suite.patterns),
    connections,
    warmupS: numberOption(values, 'warmup', suite.warmupS, 0, 600),
    durationS: numberOption(values, 'duration', suite.durationS, 0.1, 3600),
    repeat: integerOption(values, 'repeat', 1, 1, 100),
    workers,
    pin: values.pin === true,
    json: values.json === true,
    quiet: values.quiet === true,
    outDir: String(values.out ?? 'results'),
  };
}
