/**
 * `npm run bench:loadgen`: how much load the generator itself can drive. It runs closed mode
 * at pipeline 1 and 16 against the async server and prints, beside the throughput, the CPU
 * the generator spent on it: the generator's CPU time per answer says how many answers one
 * of its threads could drive at most, whichever side was the limit of this particular run.
 * A benchmark to read, not a test: it asserts nothing.
 */
import { cpus } from 'node:os';
import Table from 'cli-table3';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { parseOrExit } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { measureTreeCpu, processTreeMeasurable } from '../../lib/process-tree.js';
import { runLoad } from '../../loadgen/index.js';
import { DEFAULT_LOAD_OPTIONS } from '../../loadgen/load-options.js';
import type { LoadResult } from '../../loadgen/types.js';
import { launchServer } from '../../servers/launch.js';
import { CAPACITY_OPTIONS, CAPACITY_USAGE } from './capacity-options.js';

const PROG = 'bench:loadgen';
const PIPELINES = [1, 16] as const;
const STOP_GRACE_MS = 6000;

interface CapacityRow {
  pipeline: number;
  throughput: number;
  generatorCoreFraction: number;
  /** On a CPU plus waiting for one: above 0.9 the generator is reported saturated. */
  generatorCpuDemandFraction: number | null;
  generatorCpuUsPerAnswer: number;
  /** Answers per second one generator thread could drive at this CPU cost per answer. */
  generatorCeiling: number;
  serverCoreFraction: number | null;
  saturated: boolean;
  errors: number;
}

function toRow(pipeline: number, result: LoadResult, serverCpuSeconds: number | null, wallS: number): CapacityRow {
  // The generator threads' own CPU (the busiest one's share, times the threads: exact for one
  // thread), not the process's, which also holds GC helpers and an idle main thread.
  const generatorCpuS = result.loadgenCpu.maxThreadCoreFraction * result.durationS * result.threads;
  const cpuUsPerAnswer = result.requests > 0 ? (generatorCpuS * 1e6) / result.requests : 0;
  return {
    pipeline,
    throughput: Math.round(result.throughput),
    generatorCoreFraction: result.loadgenCpu.maxThreadCoreFraction,
    generatorCpuDemandFraction: result.loadgenCpu.maxThreadCpuDemandFraction ?? null,
    generatorCpuUsPerAnswer: Math.round(cpuUsPerAnswer * 100) / 100,
    generatorCeiling: cpuUsPerAnswer > 0 ? Math.round(1e6 / cpuUsPerAnswer) : 0,
    serverCoreFraction: serverCpuSeconds === null ? null : Math.round((serverCpuSeconds / wallS) * 1000) / 1000,
    saturated: result.saturated,
    errors: result.errorTotal,
  };
}

async function main(): Promise<void> {
  const { values, help } = parseOrExit(PROG, () => parseOptions(CAPACITY_OPTIONS, process.argv.slice(2)));
  if (help) {
    process.stdout.write(`${CAPACITY_USAGE}\n`);
    return;
  }
  const { connections, warmupS, durationS, threads } = values;
  stopChildrenOnSignals(PROG, STOP_GRACE_MS);

  const measurable = processTreeMeasurable();
  const server = await launchServer({ architecture: 'async' });
  const rows: CapacityRow[] = [];
  try {
    for (const pipeline of PIPELINES) {
      // The server's CPU is read around the whole run, warm-up included; close enough to say
      // which side was busier.
      const { result, cpuSeconds } = await measureTreeCpu(server.pid, () =>
        runLoad({
          ...DEFAULT_LOAD_OPTIONS,
          port: server.port,
          mode: 'closed',
          connections,
          pipeline,
          warmupS,
          durationS,
          threads,
        }),
      );
      rows.push(toRow(pipeline, result, measurable ? cpuSeconds : null, warmupS + durationS));
    }
  } finally {
    await server.stop(STOP_GRACE_MS);
  }

  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    connections,
    threads,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ machine, rows })}\n`);
    return;
  }
  const table = new Table({
    head: [
      'pipeline',
      'answers/s',
      'generator core',
      'with waits for a CPU',
      'generator CPU µs/answer',
      'generator ceiling (answers/s/thread)',
      'server core',
      'saturated',
      'errors',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push([
      row.pipeline,
      row.throughput,
      `${(row.generatorCoreFraction * 100).toFixed(0)}%`,
      row.generatorCpuDemandFraction === null ? 'n/a' : `${(row.generatorCpuDemandFraction * 100).toFixed(0)}%`,
      row.generatorCpuUsPerAnswer.toFixed(2),
      row.generatorCeiling,
      row.serverCoreFraction === null ? 'n/a' : `${(row.serverCoreFraction * 100).toFixed(0)}%`,
      row.saturated ? 'YES' : 'no',
      row.errors,
    ]);
  }
  process.stdout.write(
    `load generator capacity, closed mode, ${connections} connections, ${threads} thread(s), Node ${machine.node}, ${machine.cpus} x ${machine.cpuModel}\n`,
  );
  process.stdout.write(`${table.toString()}\n`);
}

void main();
