/**
 * Starts a server as its own process and waits for its listening line: how the tests, the
 * bench runner, the profiler and the regression check get a server to measure.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child-process.js';
import { toArgv, type OptionValues } from '../lib/option-table.js';
import { SERVER_OPTIONS } from './server-options.js';

export const SERVER_ENTRY = fileURLToPath(new URL('./main.js', import.meta.url));

/** The server's own options (see server-options.ts), and how to start its process. */
export interface LaunchOptions extends Partial<OptionValues<typeof SERVER_OPTIONS>> {
  architecture: string;
  /** Put before node, e.g. ['taskset', '-c', '0']; it must exec node in place. */
  commandPrefix?: string[];
  /** The node binary to run the server with (bench --node); the host's own when absent. */
  execPath?: string;
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

/** The server's command line; host 127.0.0.1 and port 0 (a free one) unless given. */
export function serverArguments(options: LaunchOptions): string[] {
  return [
    options.architecture,
    ...toArgv(SERVER_OPTIONS, { ...options, host: options.host ?? '127.0.0.1', port: options.port ?? 0 }),
  ];
}

export async function launchServer(options: LaunchOptions): Promise<LaunchedServer> {
  const child = startChild({
    command: [
      ...(options.commandPrefix ?? []),
      options.execPath ?? process.execPath,
      ...(options.nodeArgs ?? []),
      options.entry ?? SERVER_ENTRY,
      ...serverArguments(options),
    ],
    env: options.env ?? process.env,
  });
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const listening = await child.waitForLine(parseListeningLine, timeoutMs);
  if (listening === null) {
    const stderr = child.stderr().trim() || '(empty)';
    if (child.spawnError !== null) throw new Error(`cannot start ${options.architecture}: ${child.spawnError}`);
    if (!child.running) {
      const { code, signal } = await child.exited;
      throw new Error(
        `${options.architecture} exited before listening (${signal ?? `exit ${code}`}); stderr: ${stderr}`,
      );
    }
    child.kill();
    throw new Error(`${options.architecture} printed no listening line within ${timeoutMs} ms; stderr: ${stderr}`);
  }
  return {
    pid: listening.pid,
    host: listening.host,
    port: listening.port,
    listening,
    child: child.process,
    stderrTail: () => child.stderr(),
    stop: async (stopTimeoutMs = 6000) => {
      const exit = await child.stop(stopTimeoutMs);
      // Exited 0 by itself: killed processes end with a signal, not a code.
      return { ...exit, graceful: exit.code === 0 };
    },
  };
}

function parseListeningLine(line: string): ListeningLine | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as Partial<ListeningLine>;
    return parsed.event === 'listening' ? (parsed as ListeningLine) : null;
  } catch {
    return null;
  }
}
