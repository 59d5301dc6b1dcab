/**
 * The second instrument: autocannon, the Node ecosystem's HTTP load generator, driving a zen
 * HTTP server with the same options as ours and reporting in our LoadResult's shape, so that
 * the bench can put the two side by side. Closed mode only (autocannon keeps each connection
 * busy, --pipeline requests in flight); every response is checked (expectBody: a body other
 * than the answer counts as a mismatch, a status other than 2xx as non-2xx; both are our
 * wrong answers).
 *
 * What it cannot give: latency finer than a millisecond (it records whole milliseconds), a
 * latency histogram in our encoding, and connect errors apart from resets (its `errors` counts
 * both, timeouts included).
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { APHORISMS } from '../protocol/zen.js';
import { ZEN_METHOD, ZEN_PATH } from '../protocol/zen-http.js';
import { LoadOptionsError } from './load-options.js';
import { SATURATION_FRACTION } from './result.js';
import { sampleUsage, usageBetween } from './self-usage.js';
import type { LoadOptions, LoadResult } from './types.js';

/** How often autocannon samples its counters; it ends a run only at a sample, so a window overruns by up to this. */
const SAMPLE_MS = 20;

const ASKED = APHORISMS[0]!;

/** Why autocannon cannot keep interval histograms (LoadOptions.keepIntervals). */
export const NO_INTERVALS =
  'autocannon keeps no latency histogram per interval; drop --interval-log or use --instrument zenbench';

export interface WindowCallbacks {
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}

/** A run's result, and how many of its connections got at least one response. */
function run(
  options: autocannon.Options,
  onStart: () => void = () => undefined,
): Promise<{ result: autocannon.Result; answeredConnections: number }> {
  const answered = new Set<unknown>();
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, result: autocannon.Result) => {
      if (error !== null) reject(error);
      else resolve({ result, answeredConnections: answered.size });
    });
    instance.once('start', onStart);
    // Its 'response' event names the client (one per connection) that got the response.
    instance.on('response', (client: unknown) => answered.add(client));
  });
}

export async function runAutocannon(options: LoadOptions, window: WindowCallbacks = {}): Promise<LoadResult> {
  if (options.mode !== 'closed' || options.protocol !== 'http') {
    throw new LoadOptionsError(
      `autocannon drives closed mode over HTTP only, not --mode ${options.mode} over ${options.protocol}`,
    );
  }
  if (options.keepIntervals === true) throw new LoadOptionsError(NO_INTERVALS);
  const base: autocannon.Options = {
    url: `http://${options.host}:${options.port}${ZEN_PATH}`,
    method: ZEN_METHOD,
    body: ASKED.question.toString('latin1'),
    expectBody: ASKED.answer.toString('latin1'),
    connections: options.connections,
    pipelining: options.pipeline,
    timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
    sampleInt: SAMPLE_MS,
  };
  // A warm-up of its own, on connections of its own: autocannon has no uncounted phase.
  if (options.warmupS > 0) await run({ ...base, duration: options.warmupS });
  let start = sampleUsage();
  let startedAt = performance.now();
  const { result, answeredConnections } = await run({ ...base, duration: options.durationS }, () => {
    start = sampleUsage();
    startedAt = performance.now();
    window.onWindowStart?.();
  });
  const end = sampleUsage();
  window.onWindowEnd?.();
  const durationS = (performance.now() - startedAt) / 1000;
  const usage = usageBetween(start, end);
  const right = Math.max(0, result['2xx'] - result.mismatches);
  const errors = {
    wrongAnswers: result.mismatches + result.non2xx,
    connectErrors: result.errors - result.timeouts,
    resets: 0,
    timeouts: result.timeouts,
    unansweredConnections: Math.max(0, options.connections - answeredConnections),
  };
  const coreFraction = usage.threadCoreFraction ?? usage.eventLoopUtilization;
  const toUs = (ms: number): number => Math.round(ms * 1000);
  return {
    mode: 'closed',
    protocol: 'http',
    host: options.host,
    port: options.port,
    connections: options.connections,
    pipeline: options.pipeline,
    threads: 1,
    durationS: Math.round(durationS * 1000) / 1000,
    requests: right,
    throughput: durationS > 0 ? Math.round((right / durationS) * 10) / 10 : 0,
    latencyUs: {
      p50: toUs(result.latency.p50),
      p90: toUs(result.latency.p90),
      p99: toUs(result.latency.p99),
      p999: toUs(result.latency.p99_9),
      max: toUs(result.latency.max),
      mean: toUs(result.latency.mean),
    },
    errors,
    errorTotal: Object.values(errors).reduce((total, count) => total + count, 0),
    perSecond: { answers: [], errors: [] },
    saturated: (usage.threadCpuDemandFraction ?? coreFraction) > SATURATION_FRACTION,
    loadgenCpu: {
      cpuSeconds: usage.processCpuSeconds,
      maxThreadCoreFraction: coreFraction,
      maxEventLoopUtilization: usage.eventLoopUtilization,
      ...(usage.threadCpuDemandFraction === null ? {} : { maxThreadCpuDemandFraction: usage.threadCpuDemandFraction }),
    },
    histogram: '',
  };
}
