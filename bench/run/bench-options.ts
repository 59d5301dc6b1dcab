/**
 * `npm run bench` options, declared once: a suite, narrowed by filters.
 */
import { NODE_OPTION } from '../../lib/node-runtimes.js';
import { parseOptions, usageLines } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../../protocol/protocol-names.js';
import { SERVER_OPTIONS } from '../../servers/server-options.js';
import { NO_RUN_TO_RUN } from '../report/run-to-run.js';
import { RESULTS_DIR, RUN_TO_RUN_PATH } from '../shared/paths.js';
import { OPEN_PATTERN_NAME, type HttpPlan, type OpenPlan } from '../shared/plan.js';
import {
  findPattern,
  findSuite,
  findWorkload,
  PATTERNS,
  SUITES,
  WORKLOADS,
  type Suite,
  type TrafficPattern,
  type Workload,
} from '../shared/scenarios.js';

export function benchOptionTable(architectures: readonly string[]) {
  return {
    suite: {
      kind: 'choice',
      flag: 'suite',
      arg: 'NAME',
      choices: SUITES.map((suite) => suite.name),
      default: 'default',
      help: `the points to measure: ${SUITES.map((suite) => `${suite.name}: ${suite.description}`).join('; ')}`,
    },
    architectures: {
      kind: 'words',
      flag: 'servers',
      arg: 'LIST',
      choices: architectures,
      defaultLabel: "the suite's",
      help: `architectures, comma-separated: ${architectures.join(',')}`,
    },
    workloads: {
      kind: 'words',
      flag: 'workloads',
      arg: 'LIST',
      choices: WORKLOADS.map((workload) => workload.name),
      defaultLabel: "the suite's",
      help: `workloads, comma-separated: ${WORKLOADS.map((workload) => workload.name).join(',')}`,
    },
    patterns: {
      kind: 'words',
      flag: 'patterns',
      arg: 'LIST',
      choices: PATTERNS.map((pattern) => pattern.name),
      defaultLabel: "the suite's",
      help: `traffic patterns, comma-separated: ${PATTERNS.map((pattern) => pattern.name).join(',')}`,
    },
    protocols: {
      kind: 'words',
      flag: 'protocols',
      arg: 'LIST',
      choices: PROTOCOL_NAMES,
      defaultLabel: "the suite's",
      help: `protocols, comma-separated: ${PROTOCOL_NAMES.join(',')} (over HTTP the suite's HTTP points, measured by autocannon)`,
    },
    connections: {
      kind: 'integers',
      flag: 'connections',
      arg: 'LIST',
      min: LOAD_OPTIONS.connections.min,
      max: LOAD_OPTIONS.connections.max,
      defaultLabel: "the suite's",
      help: 'concurrency levels, e.g. 1,16,64',
    },
    durationS: {
      kind: 'number',
      flag: 'duration',
      arg: 'S',
      min: 0.1,
      max: LOAD_OPTIONS.durationS.max,
      defaultLabel: "the suite's",
      help: 'measured seconds per point',
    },
    warmupS: {
      kind: 'number',
      flag: 'warmup',
      arg: 'S',
      min: 0,
      max: LOAD_OPTIONS.warmupS.max,
      defaultLabel: "the suite's",
      help: 'warm-up seconds per point, not measured',
    },
    repeat: {
      kind: 'integer',
      flag: 'repeat',
      arg: 'N',
      min: 1,
      max: 100,
      defaultLabel: "the suite's",
      help: 'rounds: each measures every point once; medians and their intervals come from them',
    },
    objectiveP99Ms: {
      kind: 'number',
      flag: 'slo-p99-ms',
      arg: 'MS',
      min: 0.01,
      max: 60_000,
      defaultLabel: "each workload's own (docs/bench.md)",
      help: 'the latency objective of the open-loop sweeps: capacity is the highest offered rate kept up with p99 within it',
    },
    workers: {
      ...SERVER_OPTIONS.workers,
      defaultLabel: "each server's own, the core count",
      help: 'workers for pool and cluster',
    },
    node: {
      ...NODE_OPTION,
      help: "run the servers under each of these Node lines, installed on first use into .cache/node from the npm registry; the load generator stays on the host's Node",
    },
    pin: {
      kind: 'flag',
      flag: 'pin',
      help: 'with taskset: the load generator on the last CPU, the server on all the others (recorded)',
    },
    json: { kind: 'flag', flag: 'json', help: 'print the results JSON on stdout instead of tables; no progress bar' },
    quiet: { kind: 'flag', flag: 'quiet', help: 'print nothing but errors; no progress bar' },
    outDir: { kind: 'text', flag: 'out', arg: 'DIR', default: RESULTS_DIR, help: 'where results go' },
    runToRun: {
      kind: 'text',
      flag: 'run-to-run',
      arg: 'FILE',
      default: RUN_TO_RUN_PATH,
      help: `how far medians move between runs on this machine (written by bench:compare --learn): each interval then reaches where a repeat run's median falls; ${NO_RUN_TO_RUN}: this run's repetitions alone`,
    },
  } as const;
}

export interface BenchCommandOptions {
  help: boolean;
  suite: Suite;
  architectures: string[];
  workloads: Workload[];
  patterns: TrafficPattern[];
  connections: number[];
  /** False when --protocols leaves TCP out. */
  tcp: boolean;
  http: HttpPlan | null;
  /** The open-loop sweeps; null when the suite or --patterns has none. */
  open: OpenPlan | null;
  warmupS: number;
  durationS: number;
  repeat: number;
  workers: number | undefined;
  /** --node: release lines; undefined: the host's Node. */
  node: number[] | undefined;
  pin: boolean;
  json: boolean;
  quiet: boolean;
  outDir: string;
  /** The spread file, or NO_RUN_TO_RUN. */
  runToRun: string;
}

export function benchUsage(architectures: readonly string[]): string {
  return `Usage: npm run bench -- [options]

Runs the architectures under each workload and traffic pattern, and writes
<out>/<UTC timestamp>.json, <out>/latest.{json,md,html} and <out>/charts/*.svg.

${usageLines(benchOptionTable(architectures))}`;
}

/** Words the table has already checked against these lists. */
function found<T>(items: readonly string[], find: (name: string) => T | undefined): T[] {
  return items.flatMap((item) => find(item) ?? []);
}

/**
 * The sweeps: the suite's, unless --patterns leaves `open` out (or names it for a suite without
 * sweeps: then every workload that has one); narrowed by --workloads, over --protocols when given.
 */
function openPlanOf(
  suite: Suite,
  patterns: readonly string[] | undefined,
  workloads: readonly string[] | undefined,
  protocols: readonly ProtocolName[] | undefined,
  objectiveP99Ms: number | undefined,
): OpenPlan | null {
  if (patterns !== undefined && !patterns.includes(OPEN_PATTERN_NAME)) return null;
  if (patterns === undefined && suite.open === null) return null;
  const names = suite.open?.workloads ?? WORKLOADS.map((workload) => workload.name);
  const swept = found(
    names.filter((name) => workloads === undefined || workloads.includes(name)),
    findWorkload,
  );
  const plan: OpenPlan = {
    workloads: swept.filter((workload) => workload.sweep !== undefined),
    protocols: protocols ?? suite.open?.protocols ?? ['tcp'],
  };
  return objectiveP99Ms === undefined ? plan : { ...plan, objectiveP99Ms };
}

export function parseBenchOptions(argv: string[], knownArchitectures: readonly string[]): BenchCommandOptions {
  const { values, help } = parseOptions(benchOptionTable(knownArchitectures), argv);
  const suite = findSuite(values.suite) ?? SUITES[0];
  if (suite === undefined) throw new Error('no suites declared');
  const protocols = values.protocols ?? (suite.http === null ? ['tcp'] : PROTOCOL_NAMES);
  const http = suite.http ?? { ...suite, crossCheck: [] };
  const closed = (names: readonly string[]): TrafficPattern[] =>
    found(names, findPattern).filter((pattern) => pattern.mode !== 'open');
  return {
    ...values,
    help,
    suite,
    architectures: values.architectures ?? [...(suite.architectures ?? knownArchitectures)],
    workloads: found(values.workloads ?? suite.workloads, findWorkload),
    patterns: closed(values.patterns ?? suite.patterns),
    connections: values.connections ?? [...suite.connections],
    tcp: protocols.includes('tcp'),
    http: protocols.includes('http')
      ? {
          workloads: found(values.workloads ?? http.workloads, findWorkload),
          patterns: closed(values.patterns ?? http.patterns),
          connections: values.connections ?? [...http.connections],
          crossCheck: http.crossCheck,
        }
      : null,
    open: openPlanOf(
      suite,
      values.patterns,
      values.workloads,
      values.protocols === undefined ? undefined : PROTOCOL_NAMES.filter((name) => values.protocols?.includes(name)),
      values.objectiveP99Ms,
    ),
    warmupS: values.warmupS ?? suite.warmupS,
    durationS: values.durationS ?? suite.durationS,
    repeat: values.repeat ?? suite.repeat,
  };
}
