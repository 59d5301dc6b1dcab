/**
 * Runs the load generator's CLI as a process of its own and returns its JSON result: how the
 * bench, the profiler and their tests drive a server. Its own process keeps the generator's
 * work off the server's event loop and out of a profile of whoever started it, and lets
 * taskset place it on a CPU of its own (a command prefix); it costs one Node start-up, about
 * 0.1 s, per run.
 */
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child-process.js';
import { toArgv } from '../lib/option-table.js';
import { DEFAULT_LOAD_OPTIONS, LOAD_OPTIONS } from './load-options.js';
import type { LoadOptions, LoadResult } from './types.js';

const LOADGEN_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Beyond the run's own time: Node start-up, connecting, the last timeouts, the report. */
const GRACE_MS = 15_000;

/** How a load process ended; `result` is null when it printed no JSON result. */
export interface LoadOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  result: LoadResult | null;
  stderrTail: string;
}

export class LoadgenError extends Error {}

export function loadgenArguments(options: Partial<LoadOptions>): string[] {
  return ['--json', ...toArgv(LOAD_OPTIONS, options)];
}

/** How long a run may take before it is killed: its warm-up, duration and last timeout, and a grace. */
export function loadTimeLimitMs(options: Partial<LoadOptions>): number {
  const { warmupS, durationS, timeoutMs } = { ...DEFAULT_LOAD_OPTIONS, ...options };
  return Math.ceil((warmupS + durationS) * 1000) + timeoutMs + GRACE_MS;
}

/**
 * Spawns `[...commandPrefix] node loadgen/main.js --json ...`. The CLI exits non-zero whenever
 * it counted errors, which for a bench is a result, not a failure: whatever the exit code, a
 * JSON result on stdout is the answer.
 */
export async function spawnLoadgen(
  options: Partial<LoadOptions>,
  commandPrefix: readonly string[] = [],
): Promise<LoadOutcome> {
  const child = startChild({
    command: [...commandPrefix, process.execPath, LOADGEN_MAIN, ...loadgenArguments(options)],
    keepOutput: true,
    timeLimitMs: loadTimeLimitMs(options),
  });
  const { code, signal } = await child.exited;
  const stderr = child.spawnError === null ? child.stderr() : `${child.stderr()}${child.spawnError}`;
  return {
    exitCode: code,
    signal,
    timedOut: child.timedOut,
    result: parseLoadResult(child.stdout()),
    stderrTail: stderr.trim(),
  };
}

/** spawnLoadgen for a caller that needs a result: no JSON result at all is a LoadgenError. */
export async function runLoadgenProcess(options: LoadOptions, commandPrefix: readonly string[]): Promise<LoadResult> {
  const outcome = await spawnLoadgen(options, commandPrefix);
  if (outcome.result !== null) return outcome.result;
  const how = outcome.signal === null ? `exit code ${String(outcome.exitCode)}` : `signal ${outcome.signal}`;
  const tail = outcome.stderrTail.split('\n').slice(-10).join('\n');
  throw new LoadgenError(`load generator gave no JSON result (${how}): ${tail}`);
}

function parseLoadResult(stdout: string): LoadResult | null {
  const text = stdout.trim();
  const start = text.indexOf('{');
  if (start === -1) return null;
  try {
    const parsed = JSON.parse(text.slice(start)) as Partial<LoadResult>;
    return typeof parsed.requests === 'number' && typeof parsed.throughput === 'number' ? (parsed as LoadResult) : null;
  } catch {
    return null;
  }
}
