/**
 * Starts a server as its own process and waits for its listening line: how the tests, the
 * bench runner, the profiler and the regression check get a server to measure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Schedule } from './shared/architecture.js';

export const SERVER_ENTRY = fileURLToPath(new URL('./main.js', import.meta.url));

export interface LaunchOptions {
  architecture: string;
  host?: string;
  /** 0 (the default) lets the system choose a free port. */
  port?: number;
  workers?: number;
  cpuUs?: number;
  ioMs?: number;
  idleTimeoutS?: number;
  questionTimeoutS?: number;
  schedule?: Schedule;
  verbose?: boolean;
  /** Put before node, e.g. ['taskset', '-c', '0']; it must exec node in place. */
  commandPrefix?: string[];
  nodeArgs?: string[];
  /** Another entry script in place of the zenbench server (tests use fakes). */
  entry?: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export interface ListeningLine {
  event: 'listening';
  architecture: string;
  host: string;
  port: number;
  pid: number;
  workers: number;
  [key: string]: unknown;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Exited 0 by itself after SIGTERM, within the time allowed. */
  graceful: boolean;
}

export interface LaunchedServer {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly listening: ListeningLine;
  readonly child: ChildProcess;
  /** The last few KB the server wrote on stderr, for failure reports. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<ServerExit>;
}

const STDERR_TAIL_BYTES = 4096;
const running = new Set<ChildProcess>();

// Whatever happens to the caller, no server it launched outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function serverArguments(options: LaunchOptions): string[] {
  const args = [options.architecture, '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0)];
  if (options.workers !== undefined) args.push('--workers', String(options.workers));
  if (options.schedule !== undefined) args.push('--schedule', options.schedule);
  if (options.cpuUs !== undefined) args.push('--cpu-us', String(options.cpuUs));
  if (options.ioMs !== undefined) args.push('--io-ms', String(options.ioMs));
  if (options.idleTimeoutS !== undefined) args.push('--idle-timeout-s', String(options.idleTimeoutS));
  if (options.questionTimeoutS !== undefined) args.push('--question-timeout-s', String(options.questionTimeoutS));
  if (options.verbose === true) args.push('--verbose');
  return args;
}

export function launchServer(options: LaunchOptions): Promise<LaunchedServer> {
  const [command, ...prefixArgs] = [...(options.commandPrefix ?? []), process.execPath];
  const args = [...prefixArgs, ...(options.nodeArgs ?? []), options.entry ?? SERVER_ENTRY, ...serverArguments(options)];
  const child = spawn(command ?? process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  running.add(child);

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  return new Promise((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.architecture} printed no listening line within ${timeoutMs} ms; stderr: ${stderr.trim() || '(empty)'}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${options.architecture}: ${error.message}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${options.architecture} exited before listening (${signal ?? `exit ${code}`}); stderr: ${stderr.trim() || '(empty)'}`,
        ),
      );
    });

    let stdout = '';
    let announced = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      if (announced) return;
      stdout += text;
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      const listening = lines.map(parseListeningLine).find((parsed) => parsed !== null);
      if (listening === undefined || listening === null) return;
      announced = true;
      clearTimeout(timer);
      resolve({
        pid: listening.pid,
        host: listening.host,
        port: listening.port,
        listening,
        child,
        stderrTail: () => stderr,
        stop: (stopTimeoutMs = 6000) => stopChild(child, exited, stopTimeoutMs),
      });
    });
  });
}

function parseListeningLine(line: string): ListeningLine | null {
  try {
    const parsed = JSON.parse(line) as Partial<ListeningLine>;
    return parsed.event === 'listening' ? (parsed as ListeningLine) : null;
  } catch {
    return null;
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
): Promise<ServerExit> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const first = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return { ...first, graceful: first.code === 0 };
  child.kill('SIGKILL');
  return { ...(await exited), graceful: false };
}
