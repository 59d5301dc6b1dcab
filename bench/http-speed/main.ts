/**
 * `npm run bench:http`: the speed of the HTTP twins and of the two HTTP instruments (issue 13's
 * speed goals), measured side by side in one run. Our async server over HTTP and a minimal
 * node:http server answering the same bodies (minimal-http-server.ts) are each driven by
 * autocannon and by our generator, at pipeline 1 and 16, in rounds whose order rotates, so that
 * the machine's slow episodes touch every cell. Per cell: throughput, and the CPU the server's
 * process and the generator's process spent per answer in the measured window. The async
 * server's figure is read as a ratio to node:http's within each round (paired), then the median
 * of those ratios with its interval. A benchmark to read, not a test: it asserts nothing.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { parseOrExit } from '../../lib/cli.js';
import { parseOptions } from '../../lib/option-table.js';
import { median, medianInterval } from '../../lib/stats.js';
import { cpuUsBetween, readTreeCpu, type TreeCpuReading } from '../../lib/tree-cpu.js';
import type { Instrument } from '../../loadgen/instruments.js';
import { DEFAULT_LOAD_OPTIONS } from '../../loadgen/load-options.js';
import { LoadgenService } from '../../loadgen/spawn-loadgen.js';
import { launchServer, type LaunchedServer, type LaunchOptions } from '../../servers/launch.js';
import { HTTP_SPEED_OPTIONS, HTTP_SPEED_USAGE } from './http-speed-options.js';

const PROG = 'bench:http';
const STOP_GRACE_MS = 6000;
const MINIMAL_ENTRY = fileURLToPath(new URL('./minimal-http-server.js', import.meta.url));

const SERVERS: readonly { name: string; launch: LaunchOptions }[] = [
  { name: 'node:http', launch: { architecture: 'node:http', entry: MINIMAL_ENTRY } },
  { name: 'async', launch: { architecture: 'async', protocol: 'http' } },
];
const INSTRUMENTS: readonly Instrument[] = ['autocannon', 'zenbench'];
const PIPELINES = [1, 16] as const;

interface Cell {
  server: string;
  instrument: Instrument;
  pipeline: number;
}

interface Sample extends Cell {
  round: number;
  throughput: number;
  serverCpuUsPerAnswer: number | null;
  loadgenCpuUsPerAnswer: number | null;
  errors: number;
}

const key = (cell: Cell): string => `${cell.server}/${cell.instrument}/${cell.pipeline}`;

function cells(): Cell[] {
  return SERVERS.flatMap(({ name }) =>
    INSTRUMENTS.flatMap((instrument) => PIPELINES.map((pipeline) => ({ server: name, instrument, pipeline }))),
  );
}

async function measure(options: {
  rounds: number;
  connections: number;
  warmupS: number;
  durationS: number;
  progress: boolean;
}): Promise<Sample[]> {
  const servers = new Map<string, LaunchedServer>();
  const loadgen = new LoadgenService();
  const samples: Sample[] = [];
  try {
    for (const { name, launch } of SERVERS) servers.set(name, await launchServer(launch));
    loadgen.start();
    const all = cells();
    for (let round = 1; round <= options.rounds; round++) {
      const shift = (round - 1) % all.length;
      for (const cell of [...all.slice(shift), ...all.slice(0, shift)]) {
        const server = servers.get(cell.server);
        if (server === undefined) continue;
        let start: TreeCpuReading | null = null;
        let end: TreeCpuReading | null = null;
        const result = await loadgen.run(
          {
            ...DEFAULT_LOAD_OPTIONS,
            instrument: cell.instrument,
            protocol: 'http',
            host: server.host,
            port: server.port,
            mode: 'closed',
            connections: options.connections,
            pipeline: cell.pipeline,
            warmupS: options.warmupS,
            durationS: options.durationS,
          },
          {
            onWindowStart: () => (start = readTreeCpu(server.pid)),
            onWindowEnd: () => (end = readTreeCpu(server.pid)),
          },
        );
        const answers = result.requests;
        const serverCpuUs = start !== null && end !== null ? cpuUsBetween(start, end).cpuUs : null;
        samples.push({
          ...cell,
          round,
          throughput: result.throughput,
          serverCpuUsPerAnswer: serverCpuUs === null || answers === 0 ? null : serverCpuUs / answers,
          loadgenCpuUsPerAnswer: answers === 0 ? null : (result.loadgenCpu.cpuSeconds * 1e6) / answers,
          errors: result.errorTotal,
        });
        if (options.progress) {
          process.stderr.write(`${PROG}: round ${round}, ${key(cell)}: ${Math.round(result.throughput)} answers/s\n`);
        }
      }
    }
  } finally {
    await loadgen.stop();
    await Promise.all([...servers.values()].map((server) => server.stop(STOP_GRACE_MS)));
  }
  return samples;
}

function withInterval(values: readonly number[], digits = 0): string {
  if (values.length === 0) return '–';
  const show = (value: number): string =>
    new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
  const interval = medianInterval(values);
  return values.length === 1
    ? show(median(values))
    : `${show(median(values))} (${show(interval.low)}–${show(interval.high)})`;
}

function percentInterval(ratios: readonly number[]): string {
  if (ratios.length === 0) return '–';
  const show = (ratio: number): string => `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(1)}%`;
  const interval = medianInterval(ratios);
  return ratios.length === 1
    ? show(median(ratios))
    : `${show(median(ratios))} (${show(interval.low)} to ${show(interval.high)})`;
}

function numbers(values: readonly (number | null)[]): number[] {
  return values.filter((value): value is number => value !== null);
}

export interface HttpSpeedReport {
  servers: string[][];
  instruments: string[][];
}

const SERVER_HEAD = [
  'client',
  'pipeline',
  'node:http (answers/s)',
  'async over HTTP (answers/s)',
  'async vs node:http, paired by round',
  'server CPU µs/answer: node:http / async',
];
const INSTRUMENT_HEAD = ['pipeline', 'instrument', 'answers/s against node:http', 'generator CPU µs/answer'];

export function buildReport(samples: readonly Sample[]): HttpSpeedReport {
  const of = (cell: Cell): Sample[] => samples.filter((sample) => key(sample) === key(cell));
  const servers = INSTRUMENTS.flatMap((instrument) =>
    PIPELINES.map((pipeline) => {
      const minimal = of({ server: 'node:http', instrument, pipeline });
      const ours = of({ server: 'async', instrument, pipeline });
      const ratios = ours.flatMap((sample) => {
        const partner = minimal.find((candidate) => candidate.round === sample.round);
        return partner !== undefined && partner.throughput > 0 ? [sample.throughput / partner.throughput] : [];
      });
      const cpu = (list: Sample[]): string => {
        const values = numbers(list.map((sample) => sample.serverCpuUsPerAnswer));
        return values.length === 0 ? '–' : median(values).toFixed(1);
      };
      return [
        instrument,
        String(pipeline),
        withInterval(minimal.map((sample) => sample.throughput)),
        withInterval(ours.map((sample) => sample.throughput)),
        percentInterval(ratios),
        `${cpu(minimal)} / ${cpu(ours)}`,
      ];
    }),
  );
  const instruments = PIPELINES.flatMap((pipeline) =>
    INSTRUMENTS.map((instrument) => {
      const list = of({ server: 'node:http', instrument, pipeline });
      return [
        String(pipeline),
        instrument,
        withInterval(list.map((sample) => sample.throughput)),
        withInterval(numbers(list.map((sample) => sample.loadgenCpuUsPerAnswer)), 1),
      ];
    }),
  );
  return { servers, instruments };
}

async function main(): Promise<void> {
  const { values, help } = parseOrExit(PROG, () => parseOptions(HTTP_SPEED_OPTIONS, process.argv.slice(2)));
  if (help) {
    process.stdout.write(`${HTTP_SPEED_USAGE}\n`);
    return;
  }
  stopChildrenOnSignals(PROG, STOP_GRACE_MS);
  const samples = await measure({ ...values, progress: !values.json });
  const report = buildReport(samples);
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };
  const errors = samples.reduce((total, sample) => total + sample.errors, 0);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ machine, options: values, samples, report, errors })}\n`);
    return;
  }
  const render = (head: readonly string[], rows: string[][]): string => {
    const table = new Table({ head: [...head], style: { head: [], border: [] } });
    for (const row of rows) table.push(row);
    return table.toString();
  };
  process.stdout.write(
    `HTTP speed, closed mode, ${values.connections} connections, ${values.rounds} rounds of ${values.warmupS} s + ${values.durationS} s, Node ${machine.node}, ${machine.cpus} x ${machine.cpuModel}; medians (interval of the median)\n\n`,
  );
  process.stdout.write(
    `Our async server over HTTP beside a minimal node:http server\n${render(SERVER_HEAD, report.servers)}\n\n`,
  );
  process.stdout.write(`The two instruments against node:http\n${render(INSTRUMENT_HEAD, report.instruments)}\n`);
  if (errors > 0) process.stdout.write(`\n${errors} errors counted over the run: the figures above are suspect\n`);
}

void main();
