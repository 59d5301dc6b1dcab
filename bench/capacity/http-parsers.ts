/**
 * What reading HTTP responses costs the load generator, with each of its two readers: our
 * minimal one (loadgen/http-response-reader.ts) and http-parser-js, the maintained parser.
 * The figures in docs/load.md ("Zen over HTTP") come from it:
 *
 *   flock /tmp/zenbench-machine.lock node dist/bench/capacity/http-parsers.js [rounds]
 *
 * Closed mode, 16 connections, pipeline 1 and 16, 1 s warm-up and 5 s measured per run,
 * against a minimal node:http server (this file again, in a process of its own) that answers
 * every question right; the two readers take turns, in alternating order, for `rounds`
 * rounds (default 3). Like `npm run bench:loadgen` it reads the generator thread's CPU time
 * per answer: what limits how many answers one thread can drive, whichever side limited this
 * run. Each run starts after a quiet second and is done again (up to 4 times) when the rest
 * of the machine used more than 0.1 core during it; the summary takes the quiet runs only.
 * A benchmark to read, not a test: it asserts nothing.
 *
 *   flock /tmp/zenbench-machine.lock node dist/bench/capacity/http-parsers.js micro
 *
 * measures the readers alone instead: nanoseconds per response, node:http's responses fed
 * 1 and 16 to a read, no socket, no server.
 */
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stopChildrenOnSignals } from '../../lib/child-process.js';
import { readMachineCpu } from '../../lib/machine-cpu.js';
import { median } from '../../lib/stats.js';
import { measureTreeCpu } from '../../lib/process-tree.js';
import { epochNowMs, runThread } from '../../loadgen/engine.js';
import type { HttpParserName } from '../../loadgen/http-wire.js';
import { resolveLoadOptions } from '../../loadgen/load-options.js';
import { makeWire } from '../../loadgen/wire.js';
import { planThreads } from '../../loadgen/plan.js';
import { buildResult } from '../../loadgen/result.js';
import { answerFor } from '../../protocol/zen.js';
import { launchServer } from '../../servers/launch.js';

const SERVE_ENV = 'ZENBENCH_HTTP_PARSERS_SERVER';
const PIPELINES = [1, 16] as const;
const PARSERS: readonly HttpParserName[] = ['http-parser-js', 'minimal'];
const CONNECTIONS = 16;
const WARMUP_S = 1;
const DURATION_S = 5;

/** The server: node:http and nothing else, every answer right. */
function serve(): void {
  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = answerFor(Buffer.concat(chunks));
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': answer.length });
      response.end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    const line = {
      event: 'listening',
      architecture: 'node:http',
      host: '127.0.0.1',
      port,
      pid: process.pid,
      workers: 1,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

interface Row {
  round: number;
  pipeline: number;
  parser: HttpParserName;
  throughput: number;
  generatorCoreFraction: number;
  generatorCpuUsPerAnswer: number;
  generatorCeiling: number;
  serverCoreFraction: number;
  /** What the rest of the machine used meanwhile (other processes, and steal), in cores: 0 on a quiet machine. */
  otherCores: number;
  saturated: boolean;
  errors: number;
}

/** A run during which the rest of the machine used more than this many cores is done again. */
const QUIET_CORES = 0.1;
const ATTEMPTS = 4;
const QUIET_WAIT_S = 120;

/** CPU seconds of the whole machine (busy and stolen), or null where /proc/stat cannot be read. */
function machineSeconds(): number | null {
  const reading = readMachineCpu();
  return reading === null ? null : reading.busyS + reading.stealS;
}

/** Cores the rest of the machine used while `action` ran: neither this process nor the server's tree. */
async function othersDuring<T>(
  serverPid: number,
  action: () => Promise<T>,
): Promise<{ result: T; otherCores: number; serverCores: number }> {
  const machineBefore = machineSeconds();
  const ownBefore = process.cpuUsage();
  const startedAt = performance.now();
  const { result, cpuSeconds } = await measureTreeCpu(serverPid, action);
  const wallS = (performance.now() - startedAt) / 1000;
  const own = process.cpuUsage(ownBefore);
  const ownS = (own.user + own.system) / 1e6;
  const machineAfter = machineSeconds();
  const machineS = machineBefore === null || machineAfter === null ? 0 : machineAfter - machineBefore;
  return { result, otherCores: Math.max(0, machineS - ownS - cpuSeconds) / wallS, serverCores: cpuSeconds / wallS };
}

/** Waits (at most QUIET_WAIT_S) for a second in which the rest of the machine stays under QUIET_CORES. */
async function waitForQuiet(serverPid: number): Promise<void> {
  for (let waited = 0; waited < QUIET_WAIT_S; waited++) {
    const { otherCores } = await othersDuring(serverPid, () => new Promise((resolve) => setTimeout(resolve, 1000)));
    if (otherCores < QUIET_CORES) return;
  }
}

async function runOnce(
  serverPid: number,
  port: number,
  round: number,
  pipeline: number,
  parser: HttpParserName,
): Promise<Row> {
  const options = resolveLoadOptions({
    protocol: 'http',
    port,
    mode: 'closed',
    connections: CONNECTIONS,
    pipeline,
    warmupS: WARMUP_S,
    durationS: DURATION_S,
  });
  const plan = { ...planThreads(options)[0]!, httpParser: parser };
  const {
    result: report,
    otherCores,
    serverCores,
  } = await othersDuring(serverPid, () => runThread(plan, epochNowMs()));
  const result = buildResult(options, [report]);
  const cpuUsPerAnswer = (result.loadgenCpu.maxThreadCoreFraction * result.durationS * 1e6) / result.requests;
  return {
    round,
    pipeline,
    parser,
    throughput: Math.round(result.throughput),
    generatorCoreFraction: result.loadgenCpu.maxThreadCoreFraction,
    generatorCpuUsPerAnswer: Math.round(cpuUsPerAnswer * 100) / 100,
    generatorCeiling: Math.round(1e6 / cpuUsPerAnswer),
    serverCoreFraction: Math.round(serverCores * 1000) / 1000,
    otherCores: Math.round(otherCores * 1000) / 1000,
    saturated: result.saturated,
    errors: result.errorTotal,
  };
}

async function measure(rounds: number): Promise<void> {
  stopChildrenOnSignals('http-parsers', 6000);
  const server = await launchServer({
    architecture: 'node:http',
    entry: fileURLToPath(import.meta.url),
    env: { ...process.env, [SERVE_ENV]: '1' },
  });
  const rows: Row[] = [];
  let disturbed = 0;
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const pipeline of PIPELINES) {
        const order = round % 2 === 1 ? PARSERS : [...PARSERS].reverse();
        for (const parser of order) {
          // Other work on the machine slows the server, which then sends more responses per
          // read and makes each answer cheaper for the generator: a disturbed run is done again.
          for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
            await waitForQuiet(server.pid);
            const row = await runOnce(server.pid, server.port, round, pipeline, parser);
            const quiet = row.otherCores <= QUIET_CORES;
            process.stdout.write(`${JSON.stringify({ ...row, quiet })}\n`);
            if (quiet) {
              rows.push(row);
              break;
            }
            disturbed++;
          }
        }
      }
    }
  } finally {
    await server.stop();
  }

  process.stdout.write(
    `\nNode ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; closed mode, ${CONNECTIONS} connections; ` +
      `medians of the runs with the rest of the machine under ${QUIET_CORES} core (${disturbed} disturbed run(s) left out)\n`,
  );
  for (const pipeline of PIPELINES) {
    const costs = new Map<HttpParserName, number>();
    for (const parser of PARSERS) {
      const mine = rows.filter((row) => row.pipeline === pipeline && row.parser === parser);
      if (mine.length === 0) continue;
      const cpuUs = median(mine.map((row) => row.generatorCpuUsPerAnswer));
      costs.set(parser, cpuUs);
      process.stdout.write(
        `pipeline ${pipeline}, ${parser} (${mine.length} runs): ${median(mine.map((row) => row.throughput))} answers/s, ` +
          `${cpuUs.toFixed(2)} µs generator CPU per answer (${mine.map((row) => row.generatorCpuUsPerAnswer.toFixed(2)).join(', ')}), ` +
          `ceiling ${Math.round(1e6 / cpuUs)} answers/s\n`,
      );
    }
    const reference = costs.get('http-parser-js');
    const minimal = costs.get('minimal');
    if (reference !== undefined && minimal !== undefined) {
      // Capacity is 1 / CPU per answer, so the share of it http-parser-js costs is 1 - minimal / reference.
      const cost = 1 - minimal / reference;
      process.stdout.write(`pipeline ${pipeline}: http-parser-js costs ${(cost * 100).toFixed(0)}% of the capacity\n`);
    }
  }
}

/** What node:http sends for an answer (its Date header's length does not change). */
function nodeHttpResponse(body: string): string {
  return (
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' +
    `Content-Length: ${body.length}\r\nDate: Mon, 23 Nov 2026 08:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n${body}`
  );
}

const MICRO_RESPONSES = 3_000_000;
const MICRO_REPEATS = 5;

function micro(): void {
  const answers = ['Ugly.', 'Implicit.', 'Complex.'];
  process.stdout.write(
    `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown'}; ${MICRO_RESPONSES} responses per repeat, median of ${MICRO_REPEATS}\n`,
  );
  for (const perRead of [1, 16]) {
    // Three reads that together answer questions 0 .. 3*perRead-1 in order, fed round and round.
    const reads = [0, 1, 2].map((read) =>
      Buffer.from(
        Array.from({ length: perRead }, (_, index) => nodeHttpResponse(answers[(read * perRead + index) % 3]!)).join(
          '',
        ),
        'latin1',
      ),
    );
    for (const parser of PARSERS) {
      let right = 0;
      const reader = makeWire('http', { host: '127.0.0.1', port: 1, maxBatch: 1, httpParser: parser }).reader((ok) => {
        if (ok) right++;
      });
      const pushes = MICRO_RESPONSES / perRead;
      const nsPerResponse: number[] = [];
      for (let repeat = 0; repeat <= MICRO_REPEATS; repeat++) {
        right = 0;
        const started = process.hrtime.bigint();
        for (let push = 0; push < pushes; push++) reader.push(reads[push % 3]!);
        const elapsed = Number(process.hrtime.bigint() - started);
        if (right !== MICRO_RESPONSES) throw new Error(`${parser}: ${right} right answers of ${MICRO_RESPONSES}`);
        // The first repeat warms the JIT up and is not counted.
        if (repeat > 0) nsPerResponse.push(elapsed / MICRO_RESPONSES);
      }
      process.stdout.write(
        `${perRead} response(s) per read, ${parser}: ${Math.round(median(nsPerResponse))} ns per response ` +
          `(${nsPerResponse.map((ns) => Math.round(ns)).join(', ')})\n`,
      );
    }
  }
}

if (process.env[SERVE_ENV] === '1') serve();
else if (process.argv[2] === 'micro') micro();
else void measure(Number(process.argv[2] ?? 3));
