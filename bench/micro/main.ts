/**
 * `npm run bench:micro [-- --json] [--time MS]`: tinybench micro-benchmarks of the hot paths
 * every answer goes through: framing, the answer lookup, the CPU-work unit, and recording a
 * latency in the load generator's histogram.
 */
import Table from 'cli-table3';
import { Bench } from 'tinybench';
import { parseOrExit } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { newLatencyHistogram } from '../../loadgen/histogram.js';
import { Framer } from '../../protocol/framer.js';
import { MICRO_OPTIONS, MICRO_USAGE } from './micro-options.js';
import { answerFor, APHORISMS, MAX_QUESTION_BYTES, QUESTION_END } from '../../protocol/zen.js';
import { burnCpu } from '../../servers/shared/work.js';

const PROG = 'bench:micro';

export interface MicroResult {
  name: string;
  /** What one operation is, so that ns/op reads right. */
  unit: string;
  opsPerSecond: number;
  meanNs: number;
  p99Ns: number;
  /** Relative margin of error of the mean, percent. */
  rmePercent: number;
  samples: number;
}

const QUESTION = APHORISMS[0]?.question ?? Buffer.from('Beautiful is better than?');
const PIPELINED = Buffer.concat(
  Array.from({ length: 64 }, (_, index) => APHORISMS[index % APHORISMS.length]?.question ?? QUESTION),
);
const THIRD = Math.ceil(QUESTION.length / 3);
const SPLIT_READS = [QUESTION.subarray(0, THIRD), QUESTION.subarray(THIRD, 2 * THIRD), QUESTION.subarray(2 * THIRD)];
const BYTE_READS = Array.from(QUESTION, (_, index) => QUESTION.subarray(index, index + 1));
const UNKNOWN = Buffer.from('What is the airspeed velocity of an unladen swallow?');

let frames = 0;
const countFrame = (): void => {
  frames++;
};

function addTasks(bench: Bench): Map<string, string> {
  const units = new Map<string, string>();
  const add = (name: string, unit: string, fn: () => void): void => {
    units.set(name, unit);
    bench.add(name, fn);
  };
  const framer = new Framer(QUESTION_END, MAX_QUESTION_BYTES);
  add('Framer: one question split over 3 reads', '1 question', () => {
    for (const read of SPLIT_READS) framer.push(read, countFrame);
  });
  add('Framer: 64 pipelined questions in one read', '64 questions', () => {
    framer.push(PIPELINED, countFrame);
  });
  add('Framer: one question, one byte per read', `1 question (${QUESTION.length} reads)`, () => {
    for (const read of BYTE_READS) framer.push(read, countFrame);
  });
  add('answerFor: known aphorism', '1 lookup', () => {
    answerFor(QUESTION);
  });
  add('answerFor: unknown aphorism', '1 lookup', () => {
    answerFor(UNKNOWN);
  });
  add('burnCpu(1): the --cpu-us unit', '1 cpu-us', () => {
    burnCpu(1);
  });
  add('burnCpu(100)', '100 cpu-us (about 100 µs on the reference machine)', () => {
    burnCpu(100);
  });
  const histogram = newLatencyHistogram();
  let value = 1;
  add('histogram: recordValue', '1 value', () => {
    // Values spread over six decades, as latencies are, so that every bucket range is exercised.
    value = value >= 1_000_000 ? 1 : value * 1.7 + 1;
    histogram.recordValue(Math.round(value));
  });
  return units;
}

export async function runMicroBenchmarks(timeMs: number): Promise<MicroResult[]> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  const units = addTasks(bench);
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') {
      const reason = result.state === 'errored' ? result.error.message : result.state;
      throw new Error(`${task.name}: ${reason}`);
    }
    return {
      name: task.name,
      unit: units.get(task.name) ?? '',
      opsPerSecond: result.throughput.mean,
      meanNs: result.latency.mean * 1e6,
      p99Ns: result.latency.p99 * 1e6,
      rmePercent: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
}

function formatNs(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`;
}

function renderTable(results: readonly MicroResult[]): string {
  const table = new Table({
    head: ['Task', 'One op', 'ops/s', 'mean', 'p99', '±', 'samples'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const result of results) {
    table.push([
      result.name,
      result.unit,
      Math.round(result.opsPerSecond).toLocaleString('en-US'),
      formatNs(result.meanNs),
      formatNs(result.p99Ns),
      `${result.rmePercent.toFixed(1)}%`,
      String(result.samples),
    ]);
  }
  return table.toString();
}

async function main(): Promise<void> {
  const { values, help } = parseOrExit(PROG, () => parseOptions(MICRO_OPTIONS, process.argv.slice(2)));
  if (help) {
    process.stdout.write(`${MICRO_USAGE}\n`);
    return;
  }
  const { timeMs } = values;
  const results = await runMicroBenchmarks(timeMs);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTable(results)}\n`);
  }
  if (frames < 0) process.stdout.write(''); // keeps the frame count observable, so framing is not dead code
}

main().catch((error: unknown) => {
  process.stderr.write(`${PROG}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
