/** `npm run bench:faults` options, declared once. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../lib/cli.js';
import { parseOptions, usageLines } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';
import { SERVER_OPTIONS } from '../../servers/server-options.js';
import { BOOK_ARCHITECTURES } from '../shared/scenarios.js';
import { FAULTS_DIR } from '../shared/paths.js';
import { FAULT_SCENARIOS } from './fault-scenarios.js';
import type { FaultSuiteOptions } from './fault-record.js';

/** The faults a user can pick; the baseline always runs, as every fault is read against it. */
const PICKABLE = FAULT_SCENARIOS.filter((scenario) => scenario.injection.kind !== 'none');

export function faultsOptionTable(architectures: readonly string[]) {
  return {
    architectures: {
      kind: 'words',
      flag: 'servers',
      arg: 'LIST',
      choices: architectures,
      defaultLabel: BOOK_ARCHITECTURES.join(','),
      help: `architectures, comma-separated: ${architectures.join(',')}`,
    },
    faults: {
      kind: 'words',
      flag: 'faults',
      arg: 'LIST',
      choices: PICKABLE.map((scenario) => scenario.name),
      defaultLabel: `all: ${PICKABLE.map((scenario) => scenario.name).join(',')}`,
      help: 'faults, comma-separated (the baseline, no fault, always runs first)',
    },
    connections: {
      ...LOAD_OPTIONS.connections,
      max: 256,
      help: "the load generator's connections, one question in flight on each",
    },
    warmupS: { ...LOAD_OPTIONS.warmupS, default: 0.3, max: 10, help: 'seconds of load before the window' },
    beforeS: {
      kind: 'number',
      flag: 'before',
      arg: 'S',
      default: 2.5,
      min: 0.5,
      max: 60,
      help: 'seconds of the window before the fault',
    },
    afterS: {
      kind: 'number',
      flag: 'after',
      arg: 'S',
      default: 2,
      min: 0.5,
      max: 60,
      help: 'seconds of the window after the fault',
    },
    workers: {
      ...SERVER_OPTIONS.workers,
      default: 2,
      defaultLabel: undefined,
      help: 'pool threads and cluster processes; with 2 or more one can fail while another serves',
    },
    stallMs: {
      kind: 'integer',
      flag: 'stall-ms',
      arg: 'MS',
      default: 1000,
      min: 1,
      max: 60_000,
      help: 'how long a stall blocks its thread',
    },
    floodClients: {
      kind: 'integer',
      flag: 'flood',
      arg: 'N',
      default: 1000,
      min: 1,
      max: 10_000,
      help: 'clients in the flood',
    },
    floodQuestions: {
      kind: 'integer',
      flag: 'flood-questions',
      arg: 'N',
      default: 1000,
      min: 1,
      max: 100_000,
      help: 'questions each flood client writes at once and never reads the answers to',
    },
    idleConnections: {
      kind: 'integer',
      flag: 'idle',
      arg: 'N',
      default: 3000,
      min: 1,
      max: 10_000,
      help: 'idle connections',
    },
    slowlorisClients: {
      kind: 'integer',
      flag: 'slowloris',
      arg: 'N',
      default: 500,
      min: 1,
      max: 5000,
      help: 'slowloris clients',
    },
    json: { kind: 'flag', flag: 'json', help: 'print the results JSON on stdout instead of tables' },
    quiet: { kind: 'flag', flag: 'quiet', help: 'print nothing but errors' },
    outDir: { kind: 'text', flag: 'out', arg: 'DIR', default: FAULTS_DIR, help: 'where results go' },
  } as const;
}

export interface FaultsCommand extends FaultSuiteOptions {
  help: boolean;
  json: boolean;
  quiet: boolean;
  outDir: string;
}

export function faultsUsage(architectures: readonly string[]): string {
  return `Usage: npm run bench:faults -- [options]

Runs each architecture through each fault under load and measures what it costs: answers
lost, connections reset, the load generator's errors, the time until full service returns,
memory, and the throughput around the fault. Writes <out>/<UTC timestamp>.json,
<out>/latest.{json,md,html} and <out>/charts/fault-*.svg.

${usageLines(faultsOptionTable(architectures))}`;
}

/** Descriptors a run needs beyond its clients': the load generator's, the probe's, the process's own. */
const SPARE_DESCRIPTORS = 200;

function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

export function parseFaultsOptions(argv: string[], knownArchitectures: readonly string[]): FaultsCommand {
  const { values, help } = parseOptions(faultsOptionTable(knownArchitectures), argv);
  const faults = values.faults ?? PICKABLE.map((scenario) => scenario.name);
  const command: FaultsCommand = {
    ...values,
    help,
    architectures: values.architectures ?? [...BOOK_ARCHITECTURES],
    faults,
    argv,
  };
  // The rogue clients hold a descriptor each here, and the server one each (the same limit
  // applies to it): past the limit the figures would be of the limit, not of the server.
  const limit = openFileLimit();
  const clients = Math.max(
    faults.includes('idle') ? command.idleConnections : 0,
    faults.includes('flood') ? command.floodClients : 0,
    faults.includes('slowloris') ? command.slowlorisClients : 0,
  );
  if (!help && limit !== null && clients + SPARE_DESCRIPTORS > limit) {
    throw new UsageError(
      `${clients} rogue clients need about ${clients + SPARE_DESCRIPTORS} file descriptors, but ulimit -n is ${limit}: lower --idle, --flood or --slowloris, or raise the limit`,
    );
  }
  return command;
}
