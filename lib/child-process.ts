/**
 * The one way zenbench starts a process of its own (a server, the load generator, clinic,
 * perf): start it, read its output, stop it with a grace period, and make sure that nothing
 * outlives the command, whether it ends normally, throws, or is stopped with Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartChildOptions {
  /** The program and its arguments, e.g. ['taskset', '-c', '1', process.execPath, 'main.js']. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * A process group of its own, so that stopping it reaches everything it started (clinic
   * starts a shell, the server and the load). Without it, only the process itself is signalled.
   */
  group?: boolean;
  /** Keep all of stdout and stderr (for a JSON result); otherwise only their last OUTPUT_TAIL_BYTES. */
  keepOutput?: boolean;
  /** SIGKILL after this long, so that a hung child cannot hold the command forever. */
  timeLimitMs?: number;
  /** Keep its stdin open for write(); otherwise it reads nothing. */
  input?: boolean;
}

const OUTPUT_TAIL_BYTES = 4096;
const RECENT_LINES = 40;

/** Every child not yet exited, so that none outlives this process. */
const live = new Set<Child>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' runs after process.exit() and after an uncaught exception; only synchronous work
  // is possible there, so it is SIGKILL, not a graceful stop.
  process.on('exit', () => {
    for (const child of live) child.kill();
  });
}

export class Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited and its output is read to the end. */
  readonly exited: Promise<ChildExit>;
  private readonly group: boolean;
  private stdoutText = '';
  private stderrText = '';
  private readonly keepOutput: boolean;
  private readonly lineWatchers = new Set<(line: string) => void>();
  private readonly recent: string[] = [];
  private spawnErrorMessage: string | null = null;
  private stopping: Promise<ChildExit> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timedOutFlag = false;

  constructor(options: StartChildOptions) {
    const [program, ...args] = options.command;
    if (program === undefined) throw new Error('startChild needs a command');
    this.group = options.group === true;
    this.keepOutput = options.keepOutput === true;
    this.process = spawn(program, args, {
      stdio: [options.input === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
      detached: this.group,
    });
    this.pid = this.process.pid ?? 0;
    installExitHook();
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.process.once('error', (error) => {
        this.spawnErrorMessage = error.message;
        live.delete(this);
        resolve({ code: null, signal: null });
      });
      this.process.once('close', (code, signal) => {
        live.delete(this);
        clearTimeout(this.timer);
        resolve({ code, signal });
      });
    });
    this.watchLines('stdout');
    this.watchLines('stderr');
    if (options.timeLimitMs !== undefined) {
      this.timer = setTimeout(() => {
        this.timedOutFlag = true;
        this.kill();
      }, options.timeLimitMs);
    }
  }

  /** Whether the time limit ran out and the child was killed for it. */
  get timedOut(): boolean {
    return this.timedOutFlag;
  }

  /** Why the process could not be started at all (e.g. ENOENT), or null. */
  get spawnError(): string | null {
    return this.spawnErrorMessage;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.spawnErrorMessage === null;
  }

  /** All of stdout with keepOutput, otherwise its tail. */
  stdout(): string {
    return this.stdoutText;
  }

  /** All of stderr with keepOutput, otherwise its last few KB, for failure reports. */
  stderr(): string {
    return this.stderrText;
  }

  /** The last lines written on stdout and stderr, in the order they came. */
  recentLines(): string[] {
    return [...this.recent];
  }

  /** Calls `listener` with every later line (stdout or stderr); the result unsubscribes. */
  onLine(listener: (line: string) => void): () => void {
    this.lineWatchers.add(listener);
    return () => {
      this.lineWatchers.delete(listener);
    };
  }

  /** The first line (stdout or stderr) for which `pick` returns a value; null on exit or timeout. */
  async waitForLine<T>(pick: (line: string) => T | null, timeoutMs: number): Promise<T | null> {
    let watcher: ((line: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<T>((resolve) => {
      watcher = (line) => {
        const value = pick(line);
        if (value !== null) resolve(value);
      };
      this.lineWatchers.add(watcher);
    });
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([seen, late, this.exited.then(() => null)]);
    clearTimeout(timer);
    if (watcher !== undefined) this.lineWatchers.delete(watcher);
    return result;
  }

  /** The exit, or null when the child is still running after timeoutMs. */
  async waitForExit(timeoutMs: number): Promise<ChildExit | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    return result;
  }

  /** Writes to the child's stdin (started with `input`); false when it is closed. */
  write(text: string): boolean {
    const stdin = this.process.stdin;
    if (stdin === null || stdin.destroyed || !stdin.writable) return false;
    stdin.write(text);
    return true;
  }

  /** Ends the child's stdin, which a child reading requests takes as the end of its work. */
  endInput(): void {
    this.process.stdin?.end();
  }

  /** Sends a signal to the child (its group with `group`); a child already gone is no error. */
  signal(signal: NodeJS.Signals): void {
    if (this.pid === 0) return;
    try {
      process.kill(this.group ? -this.pid : this.pid, signal);
    } catch {
      // ESRCH: it exited between our look and the signal, which is what we wanted anyway.
    }
  }

  kill(): void {
    this.signal('SIGKILL');
  }

  /**
   * `signal` (SIGTERM by default), then SIGKILL if the child has not exited within graceMs.
   * Every later call shares the first call's outcome.
   */
  stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit> {
    this.stopping ??= (async () => {
      if (this.running) this.signal(signal);
      const exit = await this.waitForExit(graceMs);
      if (exit !== null) return exit;
      this.kill();
      return this.exited;
    })();
    return this.stopping;
  }

  private watchLines(stream: 'stdout' | 'stderr'): void {
    let pending = '';
    this.process[stream]?.setEncoding('utf8').on('data', (text: string) => {
      const kept = `${stream === 'stdout' ? this.stdoutText : this.stderrText}${text}`;
      const trimmed = this.keepOutput ? kept : kept.slice(-OUTPUT_TAIL_BYTES);
      if (stream === 'stdout') this.stdoutText = trimmed;
      else this.stderrText = trimmed;
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        this.recent.push(line);
        if (this.recent.length > RECENT_LINES) this.recent.shift();
        for (const watcher of [...this.lineWatchers]) watcher(line);
      }
    });
  }
}

export function startChild(options: StartChildOptions): Child {
  return new Child(options);
}

/** The children started by this process that have not exited yet. */
export function liveChildCount(): number {
  return live.size;
}

/** Stops every live child at once (SIGTERM, SIGKILL after graceMs) and waits for all. */
export async function stopAllChildren(graceMs: number): Promise<void> {
  await Promise.allSettled([...live].map((child) => child.stop(graceMs)));
}

export interface OnSignals {
  /** Runs first: to stop a progress bar, or flag the run as aborted. */
  before?: () => void;
  /** The exit status; 130 after SIGINT and 143 after SIGTERM unless the command says otherwise. */
  exitCode?: number;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM: say so, stop every child gracefully, then exit. Without this a
 * signal would end the command at once and leave a server it started running.
 */
export function stopChildrenOnSignals(prog: string, graceMs: number, on: OnSignals = {}): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    on.before?.();
    process.stderr.write(`\n${prog}: interrupted by ${signal}; stopping the processes it started\n`);
    void stopAllChildren(graceMs).finally(() => process.exit(on.exitCode ?? (signal === 'SIGINT' ? 130 : 143)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
