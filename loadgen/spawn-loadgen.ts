/**
 * Runs the load generator's CLI as a process of its own and returns its JSON result. Its own
 * process keeps it off the server's event loop and lets taskset place it on its own CPU
 * (--pin); it costs one Node start-up, about 0.1 s, per call.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './types.js';
import type { ActiveProcesses } from '../lib/child-process.js';

const LOADGEN_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Beyond the run's own duration: Node start-up, connecting, the last timeouts, the report. */
const GRACE_MS = 15_000;

export class LoadgenError extends Error {}

export function loadgenArguments(options: LoadOptions): string[] {
  const args = [
    '--json',
    '--host',
    options.host,
    '--port',
    String(options.port),
    '--mode',
    options.mode,
    '--connections',
    String(options.connections),
    '--pipeline',
    String(options.pipeline),
    '--questions',
    String(options.questions),
    '--warmup',
    String(options.warmupS),
    '--duration',
    String(options.durationS),
    '--requests',
    String(options.requests),
    '--timeout-ms',
    String(options.timeoutMs),
    '--threads',
    String(options.threads),
  ];
  if (options.mode === 'open') args.push('--rate', String(options.rate));
  if (options.allowRemote) args.push('--allow-remote');
  return args;
}

function tail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Spawns `[...commandPrefix] node dist/loadgen/main.js --json ...`. The CLI exits non-zero
 * whenever it counted errors, which for a bench is a result, not a failure: whatever the exit
 * code, a JSON object on stdout is the answer. No JSON at all is a LoadgenError.
 */
export function runLoadgenProcess(
  options: LoadOptions,
  commandPrefix: readonly string[],
  active?: ActiveProcesses,
): Promise<LoadResult> {
  const [command, ...prefixArgs] = [...commandPrefix, process.execPath];
  const args = [...prefixArgs, LOADGEN_MAIN, ...loadgenArguments(options)];
  const limitMs = (options.warmupS + options.durationS) * 1000 + options.timeoutMs + GRACE_MS;
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(command ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const unregister = active?.add(() => {
      child.kill('SIGKILL');
      return Promise.resolve();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      unregister?.();
      reject(new LoadgenError(`load generator did not start: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      unregister?.();
      const text = stdout.trim();
      const start = text.indexOf('{');
      if (start !== -1) {
        try {
          resolve(JSON.parse(text.slice(start)) as LoadResult);
          return;
        } catch {
          // fall through to the error below, with what it printed
        }
      }
      const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      reject(new LoadgenError(`load generator gave no JSON result (${how}): ${tail(stderr) || tail(stdout)}`));
    });
  });
}
