/**
 * Runs the load generator's CLI as a process of its own and returns its JSON result: how the
 * bench, the profiler and their tests drive a server. Its own process keeps the generator's
 * work off the server's event loop and out of a profile of whoever started it, and lets
 * taskset place it on a CPU of its own (a command prefix); it costs one Node start-up, about
 * 0.1 s, per run.
 */
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from '../lib/child-process.js';
import { toArgv } from '../lib/option-table.js';
import { DEFAULT_LOAD_OPTIONS, LOAD_OPTIONS } from './load-options.js';
import type { LoadRequest } from './instruments.js';
import type { WindowEvent } from './serve-loads.js';
import type { LoadOptions, LoadResult } from './types.js';

const LOADGEN_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const SERVICE_MAIN = fileURLToPath(new URL('./serve-loads.js', import.meta.url));
/** How long a load service may take to exit once told there is no more work. */
const SERVICE_STOP_MS = 5000;

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

type ServiceReply = { result: LoadResult } | { error: string };

/** Called as the measured window of a run opens and closes (serve-loads.ts says when). */
export interface WindowHooks {
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}
const WINDOW_START = JSON.stringify({ event: 'window-start' satisfies WindowEvent });
const WINDOW_END = JSON.stringify({ event: 'window-end' satisfies WindowEvent });

function parseReply(line: string): ServiceReply | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as Partial<{ result: LoadResult; error: string }>;
    if (parsed.result !== undefined) return { result: parsed.result };
    return typeof parsed.error === 'string' ? { error: parsed.error } : null;
  } catch {
    return null;
  }
}

/**
 * One load-generator process (serve-loads.ts) that runs many loads in turn, so that a bench of
 * hundreds of short windows pays one Node start-up instead of one per window. A run that does
 * not answer within its time limit kills the process; the next run starts a fresh one.
 */
export class LoadgenService {
  private child: Child | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly commandPrefix: readonly string[] = []) {}

  /** The process's pid, or 0 while none runs; its CPU is the load generator's. */
  get pid(): number {
    return this.child?.running === true ? this.child.pid : 0;
  }

  /** Starts the process now rather than with the first run, so that a run does not wait for it. */
  start(): void {
    if (this.child?.running !== true) {
      this.child = startChild({ command: [...this.commandPrefix, process.execPath, SERVICE_MAIN], input: true });
    }
  }

  run(options: LoadRequest, window: WindowHooks = {}): Promise<LoadResult> {
    const next = this.queue.then(() => this.runNow(options, window));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null) return;
    child.endInput();
    await child.stop(SERVICE_STOP_MS);
  }

  private async runNow(options: LoadRequest, window: WindowHooks): Promise<LoadResult> {
    this.start();
    const child = this.child;
    if (child === null) throw new LoadgenError('the load service did not start');
    const reply = child.waitForLine(parseReply, loadTimeLimitMs(options));
    const unsubscribe = child.onLine((line) => {
      if (line === WINDOW_START) window.onWindowStart?.();
      else if (line === WINDOW_END) window.onWindowEnd?.();
    });
    child.write(`${JSON.stringify(options)}\n`);
    const answer = await reply;
    unsubscribe();
    if (answer === null) {
      const why = child.running ? 'gave no result in time' : 'exited';
      child.kill();
      this.child = null;
      throw new LoadgenError(`the load service ${why}: ${child.stderr().trim().split('\n').slice(-5).join('\n')}`);
    }
    if ('error' in answer) throw new LoadgenError(answer.error);
    return answer.result;
  }
}
