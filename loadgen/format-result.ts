/** The human-readable form of a LoadResult: a few tables, and the warnings worth a look. */
import Table from 'cli-table3';
import type { LatencySummary, LoadResult } from './types.js';

const PLAIN_STYLE = { head: [], border: [], compact: true };

export function formatSummary(result: LoadResult): string {
  const run = new Table({ style: PLAIN_STYLE });
  run.push(
    { target: `${result.host}:${result.port}` },
    { mode: result.mode },
    { protocol: result.protocol },
    { connections: `${result.connections} over ${result.threads} thread(s)` },
    { pipeline: result.pipeline },
    { 'measured window': `${result.durationS.toFixed(2)} s` },
    { answers: result.requests },
    { throughput: `${result.throughput.toFixed(0)} answers/s` },
  );
  if (result.targetRate !== undefined) {
    run.push({ 'target rate': `${result.targetRate} questions/s, ${result.arrivals ?? 'uniform'} arrivals` });
  }
  if (result.scheduledRate !== undefined) {
    run.push({ 'scheduled rate': `${result.scheduledRate.toFixed(0)} questions/s fell due in the window` });
  }
  if (result.achievedRate !== undefined) run.push({ 'achieved rate': `${result.achievedRate.toFixed(0)} questions/s` });
  if (result.scheduleLagUs !== undefined) {
    run.push({
      'behind schedule': `at most ${(result.scheduleLagUs / 1000).toFixed(1)} ms (the generator's own delay)`,
    });
  }
  run.push(
    {
      'generator CPU': `${result.loadgenCpu.cpuSeconds.toFixed(2)} s; ${threadLoad(result)}`,
    },
    { saturated: result.saturated ? 'YES' : 'no' },
  );

  const latency = new Table({
    head: ['latency (µs)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
    style: PLAIN_STYLE,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const open = result.mode === 'open';
  latency.push(latencyRow(open ? 'per question (from due time)' : 'per question', result.latencyUs));
  if (result.uncorrectedLatencyUs)
    latency.push(latencyRow('per question (from actual send)', result.uncorrectedLatencyUs));
  if (result.connectLatencyUs) latency.push(latencyRow('connect', result.connectLatencyUs));
  if (result.conversationLatencyUs) latency.push(latencyRow('whole conversation', result.conversationLatencyUs));

  const errors = new Table({
    head: ['wrong answers', 'connect errors', 'resets', 'timeouts', 'unanswered connections', 'total'],
    style: PLAIN_STYLE,
  });
  const e = result.errors;
  errors.push([e.wrongAnswers, e.connectErrors, e.resets, e.timeouts, e.unansweredConnections, result.errorTotal]);

  return `${run.toString()}\n${latency.toString()}\n${errors.toString()}\n`;
}

/** Warning lines for stderr; empty when all is well. */
export function formatWarnings(result: LoadResult): string[] {
  const warnings: string[] = [];
  if (result.saturated) {
    warnings.push(
      `warning: the load generator was saturated (${threadLoad(result)}); ` +
        'the figures may measure the generator or a busy machine, not the server; with cores to spare, try --threads',
    );
  }
  if (result.errorTotal > 0) warnings.push(`warning: ${result.errorTotal} error(s) during the run`);
  return warnings;
}

function threadLoad(result: LoadResult): string {
  const cpu = result.loadgenCpu;
  const wanted =
    cpu.maxThreadCpuDemandFraction === undefined
      ? ''
      : `, ${percent(cpu.maxThreadCpuDemandFraction)} counting its waits for a CPU`;
  return `busiest thread ${percent(cpu.maxThreadCoreFraction)} of a core${wanted}, event loop ${percent(cpu.maxEventLoopUtilization)} busy`;
}

function latencyRow(label: string, summary: LatencySummary): (string | number)[] {
  return [label, summary.p50, summary.p90, summary.p99, summary.p999, summary.max, summary.mean.toFixed(1)];
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}
