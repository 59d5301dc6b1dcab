/**
 * Runs the load generator's CLI as a process of its own against the profiled server, and
 * judges whether the load it put on the server makes the profile worth having. Its own
 * process keeps the generator's work out of the profile of whatever process started it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../../loadgen/types.js';
import type { ProfileLoadSettings } from './profile-options.js';

const LOADGEN_ENTRY = fileURLToPath(new URL('../../loadgen/main.js', import.meta.url));
/** Beyond warm-up and duration: Node start-up, connecting, the last timeouts, the report. */
const GRACE_MS = 20_000;
const STDERR_TAIL_BYTES = 2048;
/** The stdout line by which drive-load.js, run by clinic, says that the load is over. */
export const LOAD_FINISHED_EVENT = 'profile-load-finished';

export interface LoadTarget extends ProfileLoadSettings {
  host: string;
  port: number;
}

/** How a load run ended; `result` is null when the generator printed no JSON result. */
export interface LoadOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  result: LoadResult | null;
  stderrTail: string;
}

export function loadgenArguments(target: LoadTarget): string[] {
  return [
    '--json',
    '--host',
    target.host,
    '--port',
    String(target.port),
    '--mode',
    'closed',
    '--connections',
    String(target.connections),
    '--pipeline',
    String(target.pipeline),
    '--warmup',
    String(target.warmupS),
    '--duration',
    String(target.durationS),
  ];
}

export function loadTimeLimitMs(load: ProfileLoadSettings): number {
  return Math.ceil((load.warmupS + load.durationS) * 1000) + GRACE_MS;
}

export function runLoadgen(target: LoadTarget): Promise<LoadOutcome> {
  const child = spawn(process.execPath, [LOADGEN_ENTRY, ...loadgenArguments(target)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, loadTimeLimitMs(target));
  // The generator must not outlive whoever started it, also when that one exits early.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  return new Promise((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      const tail = spawnError === undefined ? stderr : `${stderr}${spawnError.message}`;
      resolve({ exitCode, signal, timedOut, result: parseLoadResult(stdout), stderrTail: tail.trim() });
    };
    child.once('error', (error) => finish(null, null, error));
    child.once('close', (code, signal) => finish(code, signal));
  });
}

function parseLoadResult(stdout: string): LoadResult | null {
  try {
    const parsed = JSON.parse(stdout) as Partial<LoadResult>;
    return typeof parsed.requests === 'number' && typeof parsed.throughput === 'number' ? (parsed as LoadResult) : null;
  } catch {
    return null;
  }
}

/**
 * A profile is only worth having when the server was under load: no result or no answer at
 * all is fatal. Errors in a run that did answer (a reset at the very end, a timeout) are
 * worth a warning, not the loss of the profile.
 */
export function judgeLoad(outcome: LoadOutcome): { fatal: string | null; warning: string | null } {
  const lastLine = (text: string): string =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .pop() ?? '(no message)';
  if (outcome.timedOut) return { fatal: 'the load generator did not finish within its time limit', warning: null };
  if (outcome.result === null) {
    const how = outcome.signal ?? `exit ${outcome.exitCode}`;
    return { fatal: `the load generator gave no result (${how}): ${lastLine(outcome.stderrTail)}`, warning: null };
  }
  if (outcome.result.requests === 0) {
    return {
      fatal: 'the load generator got no answer from the server: the profile would show an idle server',
      warning: null,
    };
  }
  if (outcome.result.errorTotal > 0) {
    const kinds = Object.entries(outcome.result.errors)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return {
      fatal: null,
      warning: `the load run counted errors (${kinds}); the profile still shows the server under load`,
    };
  }
  return { fatal: null, warning: null };
}

export function describeLoad(result: LoadResult): string {
  return `${result.requests} answers in ${result.durationS} s (${Math.round(result.throughput)}/s), p99 ${result.latencyUs.p99} us, ${result.connections} connections x pipeline ${result.pipeline}`;
}
